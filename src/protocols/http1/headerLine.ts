import type { HeaderList } from './types';

const HT = 0x09;
const SP = 0x20;
const COLON = 0x3a;

/** Char-class table for RFC 9110 tchar: a lookup per char beats a regex test per header. */
const TCHAR = 1;
const UPPER = 2;
const CLASS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") CLASS[c.charCodeAt(0)] = TCHAR;
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') CLASS[c.charCodeAt(0)] = TCHAR | UPPER;

function isOws(c: number): boolean {
  return c === SP || c === HT;
}

/** text[from, to) without leading and trailing SP / HTAB. */
function trimmedSlice(text: string, from: number, to: number): string {
  while (from < to && isOws(text.charCodeAt(from))) from++;
  while (to > from && isOws(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

/**
 * Adds the header line text[start, end) (line ending already excluded) to
 * `headers`. Lines without a valid field name are dropped rather than failing
 * the message: a passive observer gains nothing by refusing a message the
 * peer evidently accepted. Returns false only when the header count limit is
 * exceeded.
 */
export function addHeaderLine(headers: HeaderList, text: string, start: number, end: number, maxHeaders: number): boolean {
  if (start === end) return true;
  const first = text.charCodeAt(start);
  if (first === SP || first === HT) {
    // Obsolete line folding: the line continues the previous field value,
    // joined by one SP (values are kept trimmed, so no SP is doubled).
    const last = headers[headers.length - 1];
    if (last) {
      const more = trimmedSlice(text, start, end);
      const value = last[1];
      last[1] = value === '' ? more : more === '' ? value : `${value} ${more}`;
    }
    return true;
  }
  // The name runs to the first non-tchar, which must be the line's first colon.
  let seen = 0;
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    const cls = c < 128 ? CLASS[c] : 0;
    if (cls === 0) break;
    seen |= cls;
  }
  if (i === start || i === end || text.charCodeAt(i) !== COLON) return true;
  if (headers.length >= maxHeaders) return false;
  const name = text.slice(start, i);
  // Lower-casing allocates; names already in lower case (HTTP/2 style) skip it.
  headers.push([(seen & UPPER) !== 0 ? name.toLowerCase() : name, trimmedSlice(text, i + 1, end)]);
  return true;
}
