/**
 * A string from a heap, a pack or a file made safe for a terminal: control characters (which
 * could move the cursor, clear the screen or retitle the window) are shown as `\xNN` escapes.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
