import type { HrTime } from '@opentelemetry/api';
import { ByteBuffer } from './ByteBuffer';
import { hrTimeToNanos } from './nanoTime';
import { writeUtf8 } from './writeUtf8';

/** Strings longer than this go through the native UTF-8 writer instead of the per-character loop. */
const LONG_STRING = 64;
const TWO_32 = 0x1_0000_0000;
/** Seconds below this keep every intermediate product of `hrTime` under 2^53 (year ~20000). */
const FAST_SECONDS = 5e11;

/** Bytes of the varint encoding of a non-negative integer below 2^32. */
export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}

/**
 * Protobuf wire format written front to back. A length-delimited field
 * reserves a guess of its length's varint size (`begin`), and `end` writes
 * the length, moving the body when the guess was wrong: varints stay
 * minimal (bytes as any encoder would write them) without a sizing pass,
 * and with guesses fitted to each message kind the move is rare.
 */
export class ProtoWriter extends ByteBuffer {
  /** One byte: a tag of a field below 16, or a small value. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }


  /** A non-negative integer below 2^32 as a varint. */
  varint32(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /**
   * Any number as a uint32/uint64/int64 varint: integers in two's complement
   * modulo 2^64 (negatives take 10 bytes), fractions truncated, NaN,
   * infinities and undefined as 0 — what the SDK's writer makes of them.
   */
  varint(v: number | undefined): void {
    if (v !== undefined && v >= 0 && v < TWO_32) {
      this.varint32(v >>> 0);
      return;
    }
    if (v === undefined || !Number.isFinite(v)) {
      this.byte(0);
      return;
    }
    const magnitude = Math.trunc(Math.abs(v));
    let lo = magnitude >>> 0; // ToUint32 is exact modulo 2^32 for any finite double
    let hi = Math.floor(magnitude / TWO_32) >>> 0;
    if (v < 0) {
      // Two's complement negation of the 64-bit (hi, lo).
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
      lo = (-lo) >>> 0;
    }
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0 || lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /**
   * An HrTime as fixed64 nanoseconds, exact. Usual times are split into
   * 16-bit pieces of seconds so that every product stays below 2^53; odd
   * ones (fractions, nanos past a second, far future, negative) go through
   * BigInt, truncated and taken modulo 2^64. Non-finite seconds count as 0
   * and non-finite nanoseconds make the whole time 0, as in the SDK.
   */
  hrTime(time: HrTime): void {
    const seconds = time[0];
    const nanos = time[1];
    this.ensure(8);
    if (Number.isInteger(seconds) && Number.isInteger(nanos) && seconds >= 0 && seconds < FAST_SECONDS && nanos >= 0 && nanos < 1e9) {
      const low16 = seconds & 0xffff;
      const high = ((seconds - low16) / 0x10000) * 1e9; // seconds above bit 16, in ns, still to be shifted by 16
      const highLow16 = high % 0x10000;
      // total = (high - highLow16) * 2^16 + highLow16 * 2^16 + low16 * 1e9 + nanos
      const rest = highLow16 * 0x10000 + low16 * 1e9 + nanos;
      const lo = rest >>> 0;
      const hi = ((high - highLow16) / 0x10000 + (rest - lo) / TWO_32) >>> 0;
      const buf = this.buf;
      const pos = this.pos;
      buf[pos] = lo;
      buf[pos + 1] = lo >>> 8;
      buf[pos + 2] = lo >>> 16;
      buf[pos + 3] = lo >>> 24;
      buf[pos + 4] = hi;
      buf[pos + 5] = hi >>> 8;
      buf[pos + 6] = hi >>> 16;
      buf[pos + 7] = hi >>> 24;
    } else if (Number.isFinite(nanos)) {
      const whole: HrTime = [Number.isFinite(seconds) ? seconds : 0, nanos];
      this.buf.writeBigUInt64LE(BigInt.asUintN(64, hrTimeToNanos(whole)), this.pos);
    } else {
      this.buf.writeBigUInt64LE(0n, this.pos);
    }
    this.pos += 8;
  }

  /**
   * Lowercase or uppercase hex as bytes, length-prefixed: an odd last digit
   * is dropped and other characters read as the SDK reads them, so even a
   * malformed id is written as it would write it.
   */
  hexBytes(hex: string): void {
    const n = hex.length >> 1;
    this.ensure(5 + n);
    this.varint32(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const hi = hex.charCodeAt(2 * i);
      const lo = hex.charCodeAt(2 * i + 1);
      // Only the low 8 bits are kept, so the table's masked digits give the same byte.
      buf[pos++] = ((hi < 128 ? HEX_VALUES[hi]! : hi - 55) << 4) | (lo < 128 ? HEX_VALUES[lo]! : (lo - 55) & 0xff);
    }
    this.pos = pos;
  }

  /** Raw bytes, length-prefixed. */
  bytes(value: Uint8Array): void {
    this.varint32(value.length);
    this.raw(value);
  }

  /** A string as length-prefixed UTF-8; lone surrogates become U+FFFD, as TextEncoder writes them. */
  string(value: string): void {
    const n = value.length;
    if (n > LONG_STRING) {
      this._longString(value);
      return;
    }
    this.ensure(1 + n * 3);
    const start = this.pos;
    // Up to 127 bytes of UTF-8 need one length byte; `end` moves the rest.
    this.pos = writeUtf8(this.buf, start + 1, value);
    this.end(start, 1);
  }

  /**
   * A whole KeyValue, under `tag`, whose string value is short enough that
   * every length fits one byte: written in one go, lengths known on the way.
   * `head` is the key's encoded head (see protoAnyValue). False, and nothing
   * written, when the value is too long for that.
   */
  shortStringKeyValue(tag: number, head: Uint8Array, value: string): boolean {
    const h = head.length;
    const n = value.length;
    if (h + n * 3 + 4 > 0x7f) return false;
    this.ensure(h + n * 3 + 6);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = tag;
    copyShort(buf, at + 2, head);
    const any = at + 2 + h;
    buf[any + 1] = 0x0a; // AnyValue.string_value
    const end = writeUtf8(buf, any + 3, value);
    const len = end - any - 3;
    buf[any + 2] = len;
    buf[any] = len + 2;
    buf[at + 1] = len + 3 + h;
    this.pos = end;
    return true;
  }

  /** As shortStringKeyValue, for a value that is an integer in [0, 2^32). */
  smallIntKeyValue(tag: number, head: Uint8Array, value: number): boolean {
    const h = head.length;
    if (h + 7 > 0x7f) return false;
    this.ensure(h + 9);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = tag;
    copyShort(buf, at + 2, head);
    const any = at + 2 + h;
    buf[any + 1] = 0x18; // AnyValue.int_value
    let pos = any + 2;
    let v = value;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    buf[any] = pos - any - 1;
    buf[at + 1] = pos - at - 2;
    this.pos = pos;
    return true;
  }

  /**
   * Opens a length-delimited body, reserving `reserve` bytes for its length;
   * returns where the length goes, for `end`.
   */
  begin(reserve: number): number {
    this.ensure(reserve);
    const at = this.pos;
    this.pos += reserve;
    return at;
  }

  /** Closes the body opened at `at` with `reserve` bytes: writes its length, moving the body if needed. */
  end(at: number, reserve: number): void {
    const length = this.pos - at - reserve;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buf.copyWithin(at + size, at + reserve, this.pos);
      this.pos += size - reserve;
    }
    const buf = this.buf;
    let v = length;
    let pos = at;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos] = v;
  }

  private _longString(value: string): void {
    const max = value.length * 3;
    const reserve = varintSize(max);
    this.ensure(reserve + max);
    const at = this.pos;
    this.pos = at + reserve;
    this.pos += this.buf.write(value, this.pos, 'utf8');
    this.end(at, reserve);
  }
}

/** `bytes` at `pos`: a loop for short ones, where it beats the native copy's call. */
function copyShort(buf: Buffer, pos: number, bytes: Uint8Array): void {
  const n = bytes.length;
  if (n < 24) {
    for (let i = 0; i < n; i++) buf[pos + i] = bytes[i]!;
  } else {
    buf.set(bytes, pos);
  }
}

/**
 * Hex digit values by ASCII code, looked up rather than branched on (twice
 * as fast); other characters map as the SDK's converter maps them
 * (code - 55), to their low 8 bits.
 */
const HEX_VALUES = new Uint8Array(128);
for (let c = 0; c < 128; c++) HEX_VALUES[c] = (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c - 55) & 0xff;
