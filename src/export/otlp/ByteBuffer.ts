/** Bytes written front to back into a buffer that grows by doubling, reused from one encoding to the next. */
export class ByteBuffer {
  protected buf: Buffer;
  protected pos = 0;

  constructor(private readonly _initialSize = 64 * 1024, private readonly _keepMax = 4 * 1024 * 1024) {
    this.buf = Buffer.allocUnsafe(_initialSize);
  }

  get length(): number {
    return this.pos;
  }

  /** Starts a new encoding. */
  reset(): void {
    this.pos = 0;
  }

  /**
   * A copy of what was written: exporters keep the bytes past this call
   * (retries, async writes) while the scratch buffer is reused. A buffer that
   * grew past keepMax for one huge batch is dropped rather than kept.
   */
  finish(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    if (this.buf.length > this._keepMax) this.buf = Buffer.allocUnsafe(this._initialSize);
    this.pos = 0;
    return out;
  }

  /** Bytes the caller encoded beforehand (fragments that repeat, see FragmentCache). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    if (n < 16) {
      // A byte loop beats the native copy's call for the short fragments spans are made of.
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
      this.pos = pos;
    } else {
      this.buf.set(bytes, this.pos);
      this.pos += n;
    }
  }

  /** Makes room for `n` more bytes. */
  protected ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
