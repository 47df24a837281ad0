const LF = 0x0a;
const CR = 0x0d;
const INITIAL_BYTES = 256;
/** A buffer grown past this is dropped after use, not kept per connection. */
const KEEP_BYTES = 1024;

/**
 * Finds the blank line that ends a head, across any number of pushes, and
 * keeps the bytes of a head that spans pushes. A head that arrives whole in
 * one push is never copied: the parser reads it where it lies. The copy grows
 * by doubling and never beyond `maxBytes`.
 */
export class HeadAccumulator {
  /** Bytes held (heads that span pushes only). */
  length = 0;
  private buf: Buffer | undefined;
  /** End-of-head scan: 0 inside a line, 1 just after LF, 2 after LF CR. */
  private scan = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes currently allocated, for tests and memory accounting. */
  get capacity(): number {
    return this.buf?.length ?? 0;
  }

  get bytes(): Uint8Array {
    return this.buf ? this.buf.subarray(0, this.length) : new Uint8Array(0);
  }

  /** The held bytes decoded as latin1. */
  text(): string {
    return this.buf ? this.buf.toString('latin1', 0, this.length) : '';
  }

  /** Starts a new head; a large buffer is released. */
  reset(): void {
    this.length = 0;
    this.scan = 0;
    if (this.buf && this.buf.length > KEEP_BYTES) this.buf = undefined;
  }

  /**
   * Continues the search for the end of the head in bytes[pos, limit);
   * returns the index just after the blank line, or -1. Jumps from LF to LF,
   * so the cost is per line, not per byte.
   */
  findEnd(bytes: Uint8Array, pos: number, limit: number): number {
    let s = this.scan;
    let i = pos;
    while (i < limit) {
      if (s !== 0) {
        const b = bytes[i];
        if (b === LF) {
          this.scan = 0;
          return i + 1;
        }
        if (b === CR && s === 1) {
          s = 2;
          i++;
          continue;
        }
        s = 0;
      }
      const lf = bytes.indexOf(LF, i);
      if (lf < 0 || lf >= limit) break;
      s = 1;
      i = lf + 1;
    }
    this.scan = s;
    return -1;
  }

  append(bytes: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    const need = this.length + n;
    if (!this.buf || this.buf.length < need) {
      const size = Math.max(need, Math.min(this.maxBytes, Math.max(INITIAL_BYTES, need * 2)));
      const grown = Buffer.alloc(size);
      if (this.buf) grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(bytes.subarray(from, to), this.length);
    this.length = need;
  }

  /** Whether the first `n` held bytes contain a line end. */
  hasLineEnd(n: number): boolean {
    return this.buf !== undefined && this.buf.subarray(0, Math.min(n, this.length)).indexOf(LF) >= 0;
  }
}
