/**
 * Characters a terminal may act on instead of showing: C0 controls (ESC starts cursor moves,
 * screen clears and window titles; BEL ends an OSC title), DEL, C1 controls (U+009B is an 8-bit
 * CSI to some terminals), bidirectional overrides and isolates (they reorder what is shown, so a
 * name can read as something else) and the Unicode line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** The same, but leaving newlines and tabs: the layout of text Leak Hunt composed itself. */
const UNSAFE_KEEPING_LAYOUT =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * C0 controls as `\xNN`; the others as `\uNNNN`, which is also a valid escape inside a JSON
 * string, so `--json` output stays parseable after `printableLines` (JSON.stringify already
 * escapes C0 controls but leaves DEL, C1 and bidi characters raw).
 */
function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A string from a heap, a pack or a file made safe for a terminal: control characters (which
 * could move the cursor, clear the screen or retitle the window) and bidi overrides are shown as
 * escapes (`\x1b`, `\u202e`).
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/**
 * Text about to be written to a terminal, made safe as `printable` does but keeping its line
 * breaks and tabs. The CLI passes everything it prints through this, so a string from outside
 * that a command forgot to escape still cannot act on the terminal.
 */
export function printableLines(text: string): string {
  return text.replace(UNSAFE_KEEPING_LAYOUT, escape);
}

/**
 * Text without a leading byte-order mark. Editors on Windows save JSON with one, and
 * `JSON.parse` rejects it, though the file is otherwise fine.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Text or an attribute value made inert in HTML: the five characters HTML gives meaning to. */
export function escapeMarkup(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/**
 * A retainer route for a terminal: its labels made printable, and each run of one label (a
 * linked list's `_idleNext → _idleNext → …`, 300 hops through a timer list) shown once with its
 * count, `_idleNext ×300`, so the route stays one readable line.
 */
export function routeText(labels: readonly string[]): string {
  const steps: string[] = [];
  for (let i = 0; i < labels.length;) {
    let run = 1;
    while (labels[i + run] === labels[i]) run++;
    steps.push(run > 1 ? `${printable(labels[i]!)} ×${run}` : printable(labels[i]!));
    i += run;
  }
  return steps.join(' → ');
}
