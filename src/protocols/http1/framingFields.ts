import type { HeaderList } from './types';

/*
 * The two fields that delimit a body, read straight from the header list
 * with no joined or split copies in the usual cases.
 */

/** No Content-Length field at all. */
export const ABSENT = -1;
/** A Content-Length field that is not a valid length. */
export const INVALID = -2;

const HT = 0x09;
const SP = 0x20;
const MAX_DIGITS = 16;
const DIGITS = /^[0-9]{1,16}$/;

/**
 * One comma-separated element, value[from, to): its length, or INVALID.
 * Elements of digits and SP / HTAB are read here; anything else (other
 * Unicode white space that String#trim strips, say) goes through the
 * general rule, so the result never depends on which path was taken.
 */
function element(value: string, from: number, to: number): number {
  let a = from;
  let b = to;
  while (a < b && (value.charCodeAt(a) === SP || value.charCodeAt(a) === HT)) a++;
  while (b > a && (value.charCodeAt(b - 1) === SP || value.charCodeAt(b - 1) === HT)) b--;
  if (b === a || b - a > MAX_DIGITS) return generalElement(value, from, to);
  let n = 0;
  for (let i = a; i < b; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return generalElement(value, from, to);
    n = n * 10 + d;
  }
  // Past 2^53 the sum may round differently from Number(), but is unsafe either way.
  return Number.isSafeInteger(n) ? n : INVALID;
}

function generalElement(value: string, from: number, to: number): number {
  const s = value.slice(from, to).trim();
  if (!DIGITS.test(s)) return INVALID;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : INVALID;
}

/**
 * The message's Content-Length: ABSENT, INVALID, or the length. Repeated
 * fields or list values are accepted only if they all agree, as RFC 9110
 * section 8.6 allows. Reads the fields in place, no joined copy.
 */
export function contentLength(headers: HeaderList): number {
  let length = ABSENT;
  for (let h = 0; h < headers.length; h++) {
    const field = headers[h];
    if (field[0] !== 'content-length') continue;
    const value = field[1];
    let from = 0;
    for (;;) {
      const comma = value.indexOf(',', from);
      const to = comma < 0 ? value.length : comma;
      const n = element(value, from, to);
      if (n === INVALID || (length !== ABSENT && n !== length)) return INVALID;
      length = n;
      if (comma < 0) break;
      from = comma + 1;
    }
  }
  return length;
}

/** Transfer-Encoding: no field, last coding chunked, or last coding something else. */
export const enum TransferCoding { Absent, Chunked, Other }

/**
 * Judges the last transfer coding (the others do not delimit), walking the
 * fields and their list elements backwards, so usually only one is read.
 */
export function transferCoding(headers: HeaderList): TransferCoding {
  let seen = false;
  for (let h = headers.length - 1; h >= 0; h--) {
    const field = headers[h];
    if (field[0] !== 'transfer-encoding') continue;
    seen = true;
    const value = field[1];
    if (value === 'chunked') return TransferCoding.Chunked; // the usual case, no split
    const codings = value.split(',');
    for (let i = codings.length - 1; i >= 0; i--) {
      const c = codings[i].trim().toLowerCase();
      if (c !== '') return c === 'chunked' ? TransferCoding.Chunked : TransferCoding.Other;
    }
  }
  return seen ? TransferCoding.Other : TransferCoding.Absent;
}
