const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const SEMI = 0x3b;

/** Where the decoder is inside the chunked framing. */
type Phase =
  | 'size' // hex digits of a chunk-size line
  | 'sizeWs' // whitespace after the digits
  | 'ext' // chunk extensions, skipped up to LF
  | 'sizeLf' // CR seen, LF must follow
  | 'data'
  | 'dataCr' // CRLF after chunk data
  | 'dataLf'
  | 'trailers'; // trailer lines after the last chunk, up to a blank line

// 13 hex digits stay below 2^53, so sizes never lose precision.
const MAX_SIZE_DIGITS = 13;
/** Longest run of chunk extensions or trailers we skip before giving up. */
const MAX_SKIP_BYTES = 16384;

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Follows the framing of a chunked body (RFC 9112 section 7.1) without
 * copying it: chunk data is skipped by count, lines are scanned for LF.
 * State survives across calls, so any chunk boundary is fine.
 */
export class ChunkedDecoder {
  /** Set when the last-chunk and its trailers have been consumed. */
  done = false;
  /** Set when the bytes are not chunked framing. */
  error: string | undefined;
  private phase: Phase = 'size';
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private skipped = 0;
  private lineLen = 0;
  private lastByte = 0;

  reset(): void {
    this.done = false;
    this.error = undefined;
    this.startSizeLine();
  }

  /**
   * Consumes bytes from buf[pos, end) until the body ends, an error is found
   * or the bytes run out; returns the index after the last byte consumed.
   */
  feed(buf: Uint8Array, pos: number, end: number): number {
    while (pos < end && !this.done && this.error === undefined) {
      switch (this.phase) {
        case 'data': {
          const n = Math.min(this.remaining, end - pos);
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.phase = 'dataCr';
          break;
        }
        case 'ext':
        case 'trailers':
          pos = this.skipLine(buf, pos, end);
          break;
        default:
          this.step(buf[pos++]);
      }
    }
    return pos;
  }

  /**
   * `n` bytes went by unseen. Returns true if they all fell inside chunk
   * data of known size, i.e. the decoder is still in sync.
   */
  skip(n: number): boolean {
    if (this.phase !== 'data' || n > this.remaining) return false;
    this.remaining -= n;
    if (this.remaining === 0) this.phase = 'dataCr';
    return true;
  }

  /** True while the decoder is inside trailers, i.e. after the last chunk. */
  get inTrailers(): boolean {
    return this.phase === 'trailers';
  }

  private startSizeLine(): void {
    this.phase = 'size';
    this.size = 0;
    this.digits = 0;
    this.skipped = 0;
  }

  /** One byte of the short, structured parts: size line and data CRLF. */
  private step(b: number): void {
    switch (this.phase) {
      case 'size': {
        const v = hexValue(b);
        if (v >= 0) {
          if (++this.digits > MAX_SIZE_DIGITS) this.error = 'chunk size too large';
          this.size = this.size * 16 + v;
          return;
        }
        if (this.digits === 0) {
          this.error = 'bad chunk size';
          return;
        }
        this.afterDigits(b);
        return;
      }
      case 'sizeWs':
        this.afterDigits(b);
        return;
      case 'sizeLf':
        if (b === LF) this.sizeLineDone();
        else this.error = 'bad chunk size line';
        return;
      case 'dataCr':
        if (b === CR) this.phase = 'dataLf';
        else if (b === LF) this.startSizeLine();
        else this.error = 'missing CRLF after chunk data';
        return;
      case 'dataLf':
        if (b === LF) this.startSizeLine();
        else this.error = 'missing CRLF after chunk data';
        return;
      default:
        this.error = 'internal: bad chunk phase';
    }
  }

  private afterDigits(b: number): void {
    if (b === SP || b === HTAB) this.phase = 'sizeWs';
    else if (b === SEMI) this.phase = 'ext';
    else if (b === CR) this.phase = 'sizeLf';
    else if (b === LF) this.sizeLineDone();
    else this.error = 'bad chunk size';
  }

  private sizeLineDone(): void {
    if (this.size === 0) {
      this.phase = 'trailers';
      this.lineLen = 0;
      this.skipped = 0;
    } else {
      this.phase = 'data';
      this.remaining = this.size;
    }
  }

  /** Skips to the end of an extension or trailer line. */
  private skipLine(buf: Uint8Array, pos: number, end: number): number {
    let lf = buf.indexOf(LF, pos);
    if (lf >= end) lf = -1;
    const stop = lf < 0 ? end : lf;
    if (stop > pos) this.lastByte = buf[stop - 1];
    this.skipped += stop - pos;
    this.lineLen += stop - pos;
    if (this.skipped > MAX_SKIP_BYTES) {
      this.error = this.phase === 'ext' ? 'chunk extensions too long' : 'trailers too long';
      return stop;
    }
    if (lf < 0) return end;
    if (this.phase === 'ext') {
      this.sizeLineDone();
    } else {
      // A trailer line that is empty (or only CR) ends the body.
      if (this.lineLen === 0 || (this.lineLen === 1 && this.lastByte === CR)) this.done = true;
      this.lineLen = 0;
    }
    return lf + 1;
  }
}
