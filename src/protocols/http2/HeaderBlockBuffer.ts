const INITIAL_BYTES = 256;
/** A buffer grown past this is dropped after the block, not kept per connection. */
const KEEP_BYTES = 4096;

/**
 * Holds the fragments of one header block that spans frames or pushes
 * (HEADERS + CONTINUATION, RFC 9113 section 4.3), up to `maxBytes`. Past the
 * limit, or after an unseen gap, it keeps only the beginning and says so:
 * HPACK can still decode the fields that precede the cut.
 */
export class HeaderBlockBuffer {
  length = 0;
  /** Octets of the block are missing after `length`. */
  truncated = false;
  /** The cut was the size limit, not a gap. */
  oversize = false;
  private buf = new Uint8Array(0);

  constructor(private readonly maxBytes: number) {}

  get bytes(): Uint8Array {
    return this.buf;
  }

  /** Starts a new block. */
  reset(): void {
    this.length = 0;
    this.truncated = false;
    this.oversize = false;
    if (this.buf.length > KEEP_BYTES) this.buf = new Uint8Array(0);
  }

  append(src: Uint8Array, pos: number, n: number): void {
    if (this.truncated) return;
    let take = n;
    if (this.length + take > this.maxBytes) {
      take = this.maxBytes - this.length;
      this.truncated = true;
      this.oversize = true;
    }
    if (take <= 0) return;
    if (this.buf.length < this.length + take) {
      const size = Math.min(this.maxBytes, Math.max(INITIAL_BYTES, (this.length + take) * 2));
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(src.subarray(pos, pos + take), this.length);
    this.length += take;
  }
}
