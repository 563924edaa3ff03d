/**
 * Fixed-capacity series of numbers whose newest `length` values are always available as one
 * contiguous `Float64Array` view, without copying: every value is written twice, at `i` and
 * `i + capacity`, so the window `[start, start + length)` never wraps. uPlot takes the views as is.
 */
export class RingSeries {
  private readonly buffer: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buffer = new Float64Array(capacity * 2);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const index = (this.start + this.count) % this.capacity;
    this.buffer[index] = value;
    this.buffer[index + this.capacity] = value;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The newest value, or undefined when empty. */
  last(): number | undefined {
    return this.count === 0 ? undefined : this.buffer[this.start + this.count - 1];
  }

  /** Oldest first; valid until the next `push`. */
  view(): Float64Array {
    return this.buffer.subarray(this.start, this.start + this.count);
  }
}
