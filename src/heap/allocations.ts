import { fileURLToPath } from 'node:url';
import type { AllocationTraces, RawSnapshot } from './reader';
import type { AllocationFrame, AllocationSite, ScriptResolver, SourceLocation } from './results';
import type { HeapSnapshot } from './snapshot';

/** V8 keeps at most 64 frames per allocation trace; a longer walk means a broken tree. */
const MAX_FRAMES = 256;
/** A function body is scanned for the allocating line up to this many lines. */
const MAX_BODY_LINES = 400;
const MAX_LITERAL_CHARS = 4000;

/** Node's own code, a dependency, or the user's code, from a script's path or URL. */
export function frameOrigin(file: string): AllocationFrame['origin'] {
  if (!file || file.startsWith('node:') || /^internal[\\/]/.test(file)) return 'node';
  if (/[\\/]node_modules[\\/]/.test(file)) return 'library';
  return 'user';
}

/** A script's path: ES modules are named by `file://` URL, CommonJS scripts by path. */
function scriptFile(name: string): string {
  return name.startsWith('file://') ? fileURLToPath(name) : name;
}

/** `userFrame` (innermost user frame) and `libraryFrame` (innermost dependency frame inside it). */
export function classifyStack(
  stack: AllocationFrame[],
): Pick<AllocationSite, 'userFrame' | 'libraryFrame'> {
  const userFrame = stack.findIndex((frame) => frame.origin === 'user');
  if (userFrame < 0) return {};
  const libraryFrame = stack.slice(0, userFrame).findIndex((frame) => frame.origin === 'library');
  return libraryFrame < 0 ? { userFrame } : { userFrame, libraryFrame };
}

/** Allocation traces and the trace node of each node of the analysed snapshot. */
export interface TraceLookup {
  traces: AllocationTraces;
  /** Trace node id of a node of the analysed snapshot; 0 when it has none. */
  traceIdOf(node: number): number;
}

/**
 * Where suspects' allocation stacks come from. A three-snapshot diff takes them from the
 * target, matched by object id: its survivors were allocated just before it, while by the
 * final snapshot V8 has lost or mixed up the traces of many objects that lived through an
 * earlier snapshot (their addresses then carry a dead object's trace). Otherwise the analysed
 * snapshot's own traces.
 */
export function traceLookup(latest: RawSnapshot, target?: RawSnapshot): TraceLookup | undefined {
  if (target?.traces) {
    const traces = target.traces;
    const byId = new IdToTrace(target.nodeId, traces.nodeTraceId);
    return { traces, traceIdOf: (n) => byId.get(latest.nodeId[n]!) };
  }
  const own = latest.traces;
  return own && { traces: own, traceIdOf: (n) => own.nodeTraceId[n]! };
}

/** Open addressing from V8 object id to trace node id, for the traced objects only. */
class IdToTrace {
  private readonly keys: Uint32Array;
  private readonly values: Uint32Array;
  private readonly mask: number;

  constructor(ids: Uint32Array, traceIds: Uint32Array) {
    let count = 0;
    for (let i = 0; i < traceIds.length; i++) if (traceIds[i] !== 0) count++;
    let size = 16;
    while (size < count * 2) size *= 2;
    this.keys = new Uint32Array(size);
    this.values = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < traceIds.length; i++) {
      const trace = traceIds[i]!;
      // Id 0 marks an empty slot; V8 never gives it to an object.
      if (trace === 0 || ids[i] === 0) continue;
      let slot = Math.imul(ids[i]!, 0x9e3779b1) & this.mask;
      while (this.keys[slot] !== 0 && this.keys[slot] !== ids[i]) slot = (slot + 1) & this.mask;
      this.keys[slot] = ids[i]!;
      this.values[slot] = trace;
    }
  }

  get(id: number): number {
    if (id === 0) return 0;
    for (let slot = Math.imul(id, 0x9e3779b1) & this.mask; ; slot = (slot + 1) & this.mask) {
      const key = this.keys[slot];
      if (key === id) return this.values[slot]!;
      if (key === 0) return 0;
    }
  }
}

/**
 * The allocation stack of node `n`, innermost frame first; undefined when `n` was allocated
 * before tracking began. Positions are V8's (the function's start), not yet source-mapped.
 */
export function allocationSite(
  lookup: TraceLookup,
  n: number,
  resolveScript?: ScriptResolver,
): AllocationSite | undefined {
  const { parent, functionIndex, functionName, scriptName, scriptId, line, column } = lookup.traces;
  const stack: AllocationFrame[] = [];
  // The tree's root (parent 0) is V8's `(root)`, not a frame.
  for (let id = lookup.traceIdOf(n); id !== 0 && parent[id] !== 0; id = parent[id]!) {
    if (stack.length === MAX_FRAMES || id >= parent.length) break;
    const f = functionIndex[id]!;
    const file = scriptFile(scriptName[f] || resolveScript?.(scriptId[f]!) || '');
    stack.push({
      functionName: functionName[f]!,
      file,
      // V8 writes trace positions 1-based (0 when unknown), unlike `locations`.
      line: Math.max(1, line[f]!),
      column: Math.max(1, column[f]!),
      origin: frameOrigin(file),
    });
  }
  if (stack.length === 0) return undefined;
  return { stack, ...classifyStack(stack) };
}

/** Group members sampled for their allocation traces. */
const MAX_MEMBERS = 1000;

/**
 * The member of the example's group whose allocation trace speaks for the group: the most
 * common trace among the example and its surviving siblings of the same class in the same
 * container, so that one object whose trace V8 lost or mixed up does not speak for all.
 */
export function tracedMember(
  snapshot: HeapSnapshot,
  lookup: TraceLookup,
  example: number,
  container: number | undefined,
  survivors: Uint8Array,
): number {
  if (container === undefined) return example;
  const { firstEdge, edgeTo } = snapshot.raw;
  const cls = snapshot.classIndex[example];
  const votes = new Map<number, { count: number; member: number }>();
  const vote = (n: number): void => {
    const id = lookup.traceIdOf(n);
    if (id === 0) return;
    const entry = votes.get(id);
    if (entry) entry.count++;
    else votes.set(id, { count: 1, member: n });
  };
  vote(example);
  // Element lists live in a backing store one step below an array or a Map.
  const holders = [container];
  for (let e = firstEdge[container]!; e < firstEdge[container + 1]!; e++) holders.push(edgeTo[e]!);
  let seen = 0;
  for (const holder of holders) {
    for (let e = firstEdge[holder]!; e < firstEdge[holder + 1]! && seen < MAX_MEMBERS; e++) {
      const n = edgeTo[e]!;
      if (n === example || !survivors[n] || snapshot.classIndex[n] !== cls) continue;
      seen++;
      vote(n);
    }
  }
  let best: { count: number; member: number } | undefined;
  for (const entry of votes.values()) if (!best || entry.count > best.count) best = entry;
  return best ? best.member : example;
}

/** Whether a frame is a script's top level (CommonJS wrapper or ES module body). */
export function isModuleFrame(frame: AllocationFrame): boolean {
  return frame.functionName === '' && frame.line === 1 && frame.column === 1;
}

/** 0-based line range of a function's text: from its start to its closing brace, bounded. */
export interface LineRange {
  from: number;
  to: number;
}

/**
 * The lines of the function that starts at `start` (1-based): from its start to the brace that
 * closes its body (strings and comments skipped), or the rest of the line for an arrow function
 * with an expression body. A module's top level is the whole file.
 */
export function functionRange(lines: string[], start: SourceLocation, module: boolean): LineRange {
  if (module) return { from: 0, to: Math.min(lines.length, 20 * MAX_BODY_LINES) };
  const from = Math.min(Math.max(0, start.line - 1), lines.length);
  const limit = Math.min(lines.length, from + MAX_BODY_LINES);
  let depth = 0;
  let parens = 0;
  let opened = false;
  let quote = '';
  let blockComment = false;
  for (let l = from; l < limit; l++) {
    const text = lines[l]!;
    for (let c = l === from ? Math.max(0, start.column - 1) : 0; c < text.length; c++) {
      const ch = text[c]!;
      if (blockComment) {
        if (ch === '*' && text[c + 1] === '/') {
          blockComment = false;
          c++;
        }
        continue;
      }
      if (quote) {
        if (ch === '\\') c++;
        else if (ch === quote) quote = '';
        continue;
      }
      if (ch === '/' && text[c + 1] === '/') break;
      if (ch === '/' && text[c + 1] === '*') {
        blockComment = true;
        c++;
      } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
      else if (ch === '(') parens++;
      else if (ch === ')') parens = Math.max(0, parens - 1);
      else if (ch === '{') {
        if (parens === 0) opened = true;
        depth++;
      } else if (ch === '}') {
        depth--;
        if (opened && depth === 0) return { from, to: l + 1 };
      } else if (!opened && parens === 0 && ch === '=' && text[c + 1] === '>') {
        // `x => expr`: the body is the expression (a `{` after the arrow opens a block).
        const rest = text.slice(c + 2).trimStart();
        if (!rest.startsWith('{') && rest !== '') return { from, to: l + 1 };
        c++;
      }
      // Template literals with `${` are rare in function headers; a multi-line string keeps
      // its quote across lines, which is what a template needs.
    }
    if (quote !== '`') quote = '';
  }
  return { from, to: limit };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isCodeLine(line: string): boolean {
  const trimmed = line.trimStart();
  return !(trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*'));
}

/** The first line in `range` that `pattern` matches, skipping comment lines. */
function firstMatch(
  lines: string[],
  range: LineRange,
  pattern: RegExp,
  skip?: RegExp,
): { line: number; column: number } | undefined {
  for (let l = range.from; l < range.to; l++) {
    const text = lines[l]!;
    if (!isCodeLine(text)) continue;
    const match = pattern.exec(text);
    if (match && !(skip && skip.test(text.slice(0, match.index + match[0].length))))
      return { line: l + 1, column: match.index + 1 };
  }
  return undefined;
}

/**
 * The line in `range` that calls the function named `name` (the next-inner frame): V8 names
 * methods `Class.method`, so only the last part is searched, as `name(` or `new Name(`. When
 * that frame belongs to package `pkg`, a call through what the module imports from it comes
 * first (`_.get(` or an imported `get(`), so `url.searchParams.get(` a line earlier is not
 * taken for the call into lodash's `get`.
 */
export function callLine(
  lines: string[],
  range: LineRange,
  name: string,
  pkg?: string,
): { line: number; column: number } | undefined {
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (!/^[A-Za-z_$][\w$]*$/.test(last)) return undefined;
  const ref = escapeRegExp(last);
  const declaration = new RegExp(
    `(?:function\\s*\\*?\\s*|(?:get|set|static|async)\\s+)${ref}\\s*\\($`,
  );
  const bindings = pkg ? [...packageBindings(lines, pkg).names] : [];
  // `lib.name(` on a binding, or `name(` when `name` itself is imported.
  const throughImport = bindings.map((binding) =>
    binding === last ? ref : `${escapeRegExp(binding)}\\s*\\.\\s*${ref}`,
  );
  if (throughImport.length > 0) {
    const call = new RegExp(`(?<![\\w$.])(?:${throughImport.join('|')})\\s*\\(`);
    const found = firstMatch(lines, range, call, declaration);
    if (found) return found;
  }
  // `name(`, or `(0, lib.name)(` as bundlers call imports; not a declaration of that name.
  return firstMatch(lines, range, new RegExp(`(?<![\\w$])${ref}\\s*\\)?\\s*\\(`), declaration);
}

/**
 * The line in `range` that allocates an object of the suspect's class itself: `new Name(` for a
 * class, or the smallest object literal holding every key of a `{a, b, c}` group.
 */
export function allocationLine(
  lines: string[],
  range: LineRange,
  className: string,
): { line: number; column: number } | undefined {
  if (/^[A-Za-z_$][\w$]*$/.test(className))
    return firstMatch(lines, range, new RegExp(`\\bnew\\s+${escapeRegExp(className)}\\b`));
  if (!className.startsWith('{') || !className.endsWith('}')) return undefined;
  const keys = className
    .slice(1, -1)
    .split(', ')
    .map((key) => key.replace(/^['"]|['"]$/g, ''))
    .filter((key) => key !== '' && key !== '…');
  if (keys.length === 0) return undefined;
  const text = lines.slice(range.from, range.to).join('\n');
  const starts: number[] = [];
  let offset = 0;
  for (let l = range.from; l < range.to; l++) {
    starts.push(offset);
    offset += lines[l]!.length + 1;
  }
  // `key: value`, `key,` (shorthand), `key(` (method) or the last `key` of the literal.
  const holds = keys.map(
    (key) => new RegExp(`(?:^|[{,\\s])['"]?${escapeRegExp(key)}['"]?\\s*(?:[:,}(]|$)`, 'm'),
  );
  let best: { at: number; length: number } | undefined;
  for (let at = text.indexOf('{'); at >= 0; at = text.indexOf('{', at + 1)) {
    let depth = 0;
    let end = -1;
    for (let k = at; k < text.length && k - at < MAX_LITERAL_CHARS; k++) {
      if (text[k] === '{') depth++;
      else if (text[k] === '}' && --depth === 0) {
        end = k;
        break;
      }
    }
    if (end < 0) continue;
    // Keys directly in this literal, not in a nested one.
    const literal = text.slice(at + 1, end).replace(/\{[^{}]*\}/g, '{}');
    if (!holds.every((pattern) => pattern.test(literal))) continue;
    if (!best || end - at < best.length) best = { at, length: end - at };
  }
  if (!best) return undefined;
  let l = starts.length - 1;
  while (l > 0 && starts[l]! > best.at) l--;
  return { line: range.from + l + 1, column: best.at - starts[l]! + 1 };
}

/** The npm package a dependency frame's file belongs to (`express-session`, `@scope/name`). */
export function packageOf(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length - 1) return undefined;
  const name = parts[at + 1]!;
  return name.startsWith('@') ? `${name}/${parts[at + 2] ?? ''}` : name;
}

/**
 * The line of `lines` (within `range`) where the module uses what it imports from `pkg`: a call
 * of the name bound by `require('pkg')` or `import … from 'pkg'` (`app.use(session({ … }))`),
 * else any use of it (`winston.createLogger(`). That is where a user configures a library that
 * allocates from inside another one's call (a session store filled from the web framework's
 * `res.end`), or calls a library whose entry frame's name is not in the source
 * (`module.exports`).
 */
export function packageUseLine(
  lines: string[],
  pkg: string,
  range: LineRange = { from: 0, to: lines.length },
): { line: number; column: number } | undefined {
  const { names: bindings, declared } = packageBindings(lines, pkg);
  if (bindings.size === 0) return undefined;
  const refs = [...bindings].map(escapeRegExp).join('|');
  // A call of the binding first (`session({ … })`), else any use of it (`new Store(`).
  for (const pattern of [
    new RegExp(`(?<![\\w$.])(?:${refs})\\s*\\(`),
    new RegExp(`(?<![\\w$.])(?:${refs})(?![\\w$])`),
  ]) {
    for (let l = range.from; l < range.to; l++) {
      if (declared.has(l)) continue;
      const found = firstMatch(lines, { from: l, to: l + 1 }, pattern);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The names a module binds to what it imports from `pkg` (`require('pkg')`, default, namespace
 * and named imports, destructured requires) and the 0-based lines that bind them.
 */
function packageBindings(
  lines: string[],
  pkg: string,
): { names: Set<string>; declared: Set<number> } {
  const from = `['"]${escapeRegExp(pkg)}(?:/[^'"]*)?['"]`;
  const bindings = new Set<string>();
  const patterns = [
    new RegExp(`(?:const|let|var)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*require\\(\\s*${from}\\s*\\)`),
    new RegExp(`import\\s+([A-Za-z_$][\\w$]*)\\s*(?:,[^;]*)?from\\s*${from}`),
    new RegExp(`import\\s+\\*\\s+as\\s+([A-Za-z_$][\\w$]*)\\s+from\\s*${from}`),
  ];
  const named = new RegExp(
    `(?:import|const|let|var)\\s*\\{([^}]*)\\}\\s*(?:from\\s*${from}|=\\s*require\\(\\s*${from}\\s*\\))`,
  );
  const declared = new Set<number>();
  lines.forEach((line, index) => {
    for (const pattern of patterns) {
      const match = pattern.exec(line);
      if (match) {
        bindings.add(match[1]!);
        declared.add(index);
      }
    }
    const names = named.exec(line);
    if (names) {
      declared.add(index);
      for (const part of names[1]!.split(',')) {
        const name = /(?:\w+\s+as\s+|\w+\s*:\s*)?([A-Za-z_$][\w$]*)\s*$/.exec(part.trim());
        if (name) bindings.add(name[1]!);
      }
    }
  });
  return { names: bindings, declared };
}

/** Statements that look like calls but are not: `if (`, `for (`, `function name(`… */
const NOT_A_CALL = /^(?:if|for|while|switch|catch|function|return|typeof|await|new)$/;

/**
 * The one line of the function's body that makes a call, when there is exactly one: where the
 * user frame must have entered the next frame when V8 inlined that frame away. Undefined when
 * the body makes calls on several lines: a guess between them would be a coin flip.
 */
export function soleCallLine(
  lines: string[],
  range: LineRange,
): { line: number; column: number } | undefined {
  let found: { line: number; column: number } | undefined;
  const call = /([A-Za-z_$][\w$]*|\))\s*\(/g;
  for (let l = range.from; l < range.to; l++) {
    const text = lines[l]!;
    if (!isCodeLine(text)) continue;
    // The header's own parameter list is not a call (`(req, res) => {`, `function f(`).
    const body = l === range.from ? text.slice(text.search(/=>|\{/) + 1) : text;
    const offset = text.length - body.length;
    for (const match of body.matchAll(call)) {
      if (NOT_A_CALL.test(match[1]!)) continue;
      if (found && found.line !== l + 1) return undefined;
      found ??= { line: l + 1, column: offset + match.index + 1 };
      break;
    }
  }
  return found;
}
