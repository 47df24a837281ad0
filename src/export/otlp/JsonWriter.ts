import type { HrTime } from '@opentelemetry/api';
import { ByteBuffer } from './ByteBuffer';
import { FragmentCache } from './FragmentCache';
import { hrTimeToNanoString, isNormalised } from './nanoTime';
import { writeBmp, writeSurrogatePair } from './writeUtf8';

/** Strings longer than this go through the native UTF-8 writer instead of the per-character loop. */
const LONG_STRING = 64;
/** Anything JSON.stringify escapes or rewrites: quote, backslash, control characters, surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const HEX = '0123456789abcdef';
const LITERALS = new FragmentCache(text => Buffer.from(text, 'latin1'), 1024);
/** Short escapes JSON.stringify uses, by character code; the other controls become \u00xx. */
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };

/**
 * JSON text written straight into UTF-8 bytes, producing what JSON.stringify
 * would for the same values: strings escaped the same way (lowercase \u
 * escapes, lone surrogates escaped so the UTF-8 is always valid), numbers as
 * String(n), non-finite numbers as null. Structure is the caller's business.
 */
export class JsonWriter extends ByteBuffer {
  /** Text the caller knows is ASCII needing no escaping: punctuation, member names, digits. */
  ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /**
   * A string literal of the caller's, ASCII needing no escaping (member
   * names and punctuation): encoded once, then copied natively, which beats
   * a per-byte loop from about 8 bytes on.
   */
  lit(text: string): void {
    if (text.length < 8) this.ascii(text);
    else this.raw(LITERALS.get(text));
  }


  /** `bytes`, whose first byte (a comma) becomes `[` when this opens a list. */
  opening(bytes: Uint8Array, first: boolean): void {
    const at = this.pos;
    this.raw(bytes);
    if (first) this.buf[at] = 0x5b;
  }

  /** An integral number; safe non-negative ones digit by digit, the rest as String(n). */
  integer(value: number): void {
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.ensure(16);
      this.pos = writeDigits(this.buf, this.pos, value, 1);
    } else {
      this.ascii(String(value));
    }
  }

  /** A JSON string literal. */
  string(value: string): void {
    const n = value.length;
    if (n > LONG_STRING) {
      this._longString(value);
      return;
    }
    this.ensure(n * 6 + 2); // worst case: every code unit escaped as \uxxxx
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
          buf[pos++] = c;
        } else {
          const short = SHORT_ESCAPES[c];
          buf[pos++] = 0x5c;
          if (short !== undefined) buf[pos++] = short;
          else pos = writeUnicodeEscape(buf, pos, c);
        }
      } else if (c < 0xd800 || c > 0xdfff) {
        pos = writeBmp(buf, pos, c);
      } else {
        const end = writeSurrogatePair(buf, pos, value, i);
        if (end >= 0) {
          pos = end;
          i++;
        } else {
          buf[pos++] = 0x5c; // a lone surrogate, escaped as JSON.stringify does
          pos = writeUnicodeEscape(buf, pos, c);
        }
      }
    }
    buf[pos++] = 0x22;
    this.pos = pos;
  }

  /** A number as JSON.stringify writes it. */
  number(value: number): void {
    this.ascii(Number.isFinite(value) ? String(value) : 'null');
  }

  /** An HrTime as a JSON string of its total nanoseconds, digits written directly in the usual normalised case. */
  nanos(time: HrTime): void {
    const seconds = time[0];
    const nanos = time[1];
    if (!isNormalised(seconds, nanos)) {
      this.ascii(`"${hrTimeToNanoString(time)}"`);
      return;
    }
    this.ensure(28);
    const buf = this.buf;
    buf[this.pos++] = 0x22;
    if (seconds === 0) {
      this.pos = writeDigits(buf, this.pos, nanos, 1);
    } else {
      this.pos = writeDigits(buf, this.pos, seconds, 1);
      this.pos = writeDigits(buf, this.pos, nanos, 9);
    }
    buf[this.pos++] = 0x22;
  }

  /**
   * A value the types promise is a string or number but a caller may not
   * honour: written as JSON.stringify would, never as invalid JSON
   * (undefined becomes null).
   */
  scalar(value: unknown): void {
    if (typeof value === 'string') this.string(value);
    else if (typeof value === 'number') this.number(value);
    else this._utf8(JSON.stringify(value) ?? 'null');
  }

  /**
   * `,"name":value` (the caller's literal `,"name":` then the value), or
   * nothing when value is undefined — how JSON.stringify treats an object
   * member whose value is undefined.
   */
  optionalMember(member: string, value: unknown): void {
    if (value === undefined) return;
    this.lit(member);
    this.scalar(value);
  }

  private _utf8(text: string): void {
    this.ensure(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  private _longString(value: string): void {
    if (NEEDS_ESCAPE.test(value)) {
      this._utf8(JSON.stringify(value));
      return;
    }
    this.ensure(value.length * 3 + 2);
    this.buf[this.pos++] = 0x22;
    this.pos += this.buf.write(value, this.pos, 'utf8');
    this.buf[this.pos++] = 0x22;
  }
}

/** `uxxxx` (the backslash is already written), lowercase as JSON.stringify writes it. */
function writeUnicodeEscape(buf: Buffer, pos: number, c: number): number {
  buf[pos++] = 0x75;
  buf[pos++] = HEX.charCodeAt((c >> 12) & 0xf);
  buf[pos++] = HEX.charCodeAt((c >> 8) & 0xf);
  buf[pos++] = HEX.charCodeAt((c >> 4) & 0xf);
  buf[pos++] = HEX.charCodeAt(c & 0xf);
  return pos;
}

/** The decimal digits of a non-negative safe integer, zero-padded to at least `width`. */
function writeDigits(buf: Buffer, pos: number, value: number, width: number): number {
  if (value <= 0x7fffffff) return writeInt32Digits(buf, pos, value | 0, width);
  let digits = 1;
  for (let v = value; v >= 10; v = (v - (v % 10)) / 10) digits++;
  if (digits < width) digits = width;
  // (v - v % 10) / 10 is exact for every safe integer; Math.floor(v / 10) can round up near 2^53.
  let v = value;
  for (let i = digits - 1; i >= 0; i--) {
    const digit = v % 10;
    buf[pos + i] = 0x30 + digit;
    v = (v - digit) / 10;
  }
  return pos + digits;
}

/**
 * writeDigits for values below 2^31 (seconds and nanoseconds of a timestamp,
 * ports, sizes): 32-bit integer division, several times cheaper than the
 * floating-point remainder the general case needs.
 */
function writeInt32Digits(buf: Buffer, pos: number, value: number, width: number): number {
  let digits = 1;
  for (let v = value; v >= 10; v = (v / 10) | 0) digits++;
  if (digits < width) digits = width;
  let v = value;
  for (let i = digits - 1; i >= 0; i--) {
    const q = (v / 10) | 0;
    buf[pos + i] = 0x30 + (v - q * 10);
    v = q;
  }
  return pos + digits;
}
