import { isUtf8 } from 'node:buffer';

/**
 * The snapshot's string table as raw UTF-8 bytes plus offsets, decoded on first use. Most of the
 * strings (the heap's own string contents) are never displayed, so decoding them all up front
 * would be wasted time and memory.
 */
export class StringTable {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private length = 0;
  private starts = new Uint32Array(1024);
  private escaped = new Uint8Array(1024);
  private decoded: (string | undefined)[] = [];
  private currentStart = 0;
  count = 0;

  /** Starts a new string (called by the reader at its opening quote). */
  begin(): void {
    this.currentStart = this.length;
  }

  /** Appends raw bytes of the current string. */
  append(source: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.length + n > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.length + n) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.bytes.set(source.subarray(from, to), this.length);
    this.length += n;
  }

  lastIsUtf8(): boolean {
    return isUtf8(this.bytes.subarray(this.currentStart, this.length));
  }

  /** Ends the current string; `hasEscape` marks strings that need JSON unescaping. */
  finish(hasEscape: boolean): void {
    if (this.count + 1 >= this.starts.length) {
      const starts = new Uint32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
      const escaped = new Uint8Array(this.escaped.length * 2);
      escaped.set(this.escaped);
      this.escaped = escaped;
    }
    this.starts[this.count] = this.currentStart;
    this.escaped[this.count] = hasEscape ? 1 : 0;
    this.count++;
    this.starts[this.count] = this.length;
  }

  /** The string at `index` (empty for an index outside the table). */
  get(index: number): string {
    const cached = this.decoded[index];
    if (cached !== undefined) return cached;
    if (index < 0 || index >= this.count) return '';
    const raw = this.bytes.toString('utf8', this.starts[index], this.starts[index + 1]);
    // The reader validated every escape, so JSON.parse cannot fail here.
    const value = this.escaped[index] ? (JSON.parse(`"${raw}"`) as string) : raw;
    this.decoded[index] = value;
    return value;
  }

  /**
   * The first `maxChars` characters (UTF-16 units) of the string at `index`, decoding only what
   * they need: a 50 MB string is cut without being decoded or cached whole.
   */
  prefix(index: number, maxChars: number): { text: string; truncated: boolean } {
    const cached = this.decoded[index];
    if (cached !== undefined)
      return { text: cached.slice(0, maxChars), truncated: cached.length > maxChars };
    if (index < 0 || index >= this.count) return { text: '', truncated: false };
    const start = this.starts[index];
    const end = this.starts[index + 1];
    // A character takes at most 4 bytes of UTF-8, an escaped one at most 12 (`\uXXXX` twice).
    const budget = maxChars * (this.escaped[index] ? 12 : 4);
    if (end - start <= budget) {
      const whole = this.get(index);
      return { text: whole.slice(0, maxChars), truncated: whole.length > maxChars };
    }
    let cut = start + budget;
    // Back off to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
    while (cut > start && (this.bytes[cut] & 0xc0) === 0x80) cut--;
    let raw = this.bytes.toString('utf8', start, cut);
    if (this.escaped[index]) raw = raw.slice(0, completeEscapesEnd(raw));
    const text = this.escaped[index] ? (JSON.parse(`"${raw}"`) as string) : raw;
    return { text: text.slice(0, maxChars), truncated: true };
  }

  /** Index of the first string equal to each of `values` (-1 if absent), in one pass. */
  indexesOf(values: string[]): number[] {
    const needles = values.map((v) => Buffer.from(v, 'utf8'));
    const found = values.map(() => -1);
    let missing = values.length;
    for (let i = 0; i < this.count && missing > 0; i++) {
      const s = this.starts[i];
      const length = this.starts[i + 1] - s;
      if (this.escaped[i]) continue;
      for (let k = 0; k < needles.length; k++) {
        const needle = needles[k];
        if (found[k] >= 0 || needle.length !== length) continue;
        if (this.bytes.compare(needle, 0, length, s, s + length) === 0) {
          found[k] = i;
          missing--;
        }
      }
    }
    return found;
  }

  /** Appends a string created by the engine (class names like `(closure)`); returns its index. */
  add(value: string): number {
    this.begin();
    const bytes = Buffer.from(value, 'utf8');
    this.append(bytes, 0, bytes.length);
    this.finish(false);
    this.decoded[this.count - 1] = value;
    return this.count - 1;
  }

  /** Releases the slack of the growable buffers once reading is done. */
  trim(): void {
    this.bytes = Buffer.from(this.bytes.subarray(0, this.length));
    this.starts = this.starts.slice(0, this.count + 1);
    this.escaped = this.escaped.slice(0, this.count);
  }
}

/** Length of `raw`'s longest prefix that does not end inside a JSON escape (`\n`, `\u00e9`). */
function completeEscapesEnd(raw: string): number {
  let end = 0;
  for (let i = 0; i < raw.length;) {
    if (raw[i] !== '\\') {
      end = ++i;
      continue;
    }
    const width = raw[i + 1] === 'u' ? 6 : 2;
    if (i + width > raw.length) break;
    i += width;
    end = i;
  }
  return end;
}
