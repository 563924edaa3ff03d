// The search language of the log console: `level:error service:billing timeout -retry "reset by"`.
// Field filters match exactly, words and quoted phrases match the message case-insensitively,
// and a leading `-` excludes.

const FIELDS = new Set(['level', 'service']);

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits a query into tokens, keeping quoted phrases together. */
function tokenize(query) {
  const tokens = [];
  const pattern = /(-?)(?:"([^"]*)"|(\S+))/g;
  for (const match of query.matchAll(pattern)) {
    const text = match[2] ?? match[3];
    if (text) tokens.push({ negated: match[1] === '-', text, phrase: match[2] !== undefined });
  }
  return tokens;
}

/**
 * Compiles a query into a matcher: `{ query, filters, include, exclude, matches(record) }`.
 * Throws a `SyntaxError` for an unknown field.
 */
function compileQuery(query) {
  const filters = {};
  const include = [];
  const exclude = [];
  for (const token of tokenize(query)) {
    const field = !token.phrase && token.text.match(/^([a-z]+):(.+)$/);
    if (field) {
      if (!FIELDS.has(field[1])) throw new SyntaxError(`unknown field '${field[1]}'`);
      filters[field[1]] = { value: field[2], negated: token.negated };
      continue;
    }
    const words = new RegExp(`\\b${escapeRegExp(token.text)}`, 'i');
    (token.negated ? exclude : include).push(words);
  }
  const checks = Object.entries(filters);
  return {
    query,
    filters,
    include,
    exclude,
    matches(record) {
      for (const [name, filter] of checks)
        if ((record[name] === filter.value) === filter.negated) return false;
      for (const words of include) if (!words.test(record.message)) return false;
      for (const words of exclude) if (words.test(record.message)) return false;
      return true;
    },
  };
}

export { compileQuery, tokenize };
