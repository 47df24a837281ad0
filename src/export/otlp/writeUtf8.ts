/**
 * UTF-8 encoded by hand: for the short strings spans are made of, a loop
 * beats the native encoder's call, and it can write straight into our buffer.
 */

/** UTF-8 of `value` at `pos` (room already made), returning the end; lone surrogates become U+FFFD. */
export function writeUtf8(buf: Buffer, pos: number, value: string): number {
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0xd800 || c > 0xdfff) {
      pos = writeBmp(buf, pos, c);
    } else {
      const end = writeSurrogatePair(buf, pos, value, i);
      if (end >= 0) {
        pos = end;
        i++;
      } else {
        buf[pos++] = 0xef; // U+FFFD
        buf[pos++] = 0xbf;
        buf[pos++] = 0xbd;
      }
    }
  }
  return pos;
}

/** A non-ASCII code unit outside the surrogate range (2 or 3 bytes); returns the end. */
export function writeBmp(buf: Buffer, pos: number, c: number): number {
  if (c < 0x800) {
    buf[pos++] = 0xc0 | (c >> 6);
    buf[pos++] = 0x80 | (c & 0x3f);
  } else {
    buf[pos++] = 0xe0 | (c >> 12);
    buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
    buf[pos++] = 0x80 | (c & 0x3f);
  }
  return pos;
}

/**
 * The 4 bytes of the surrogate pair starting at value[i]; -1, writing
 * nothing, when value[i] is a lone surrogate (callers differ on those).
 */
export function writeSurrogatePair(buf: Buffer, pos: number, value: string, i: number): number {
  const c = value.charCodeAt(i);
  const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
  if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) return -1;
  const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
  buf[pos++] = 0xf0 | (cp >> 18);
  buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
  buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
  buf[pos++] = 0x80 | (cp & 0x3f);
  return pos;
}
