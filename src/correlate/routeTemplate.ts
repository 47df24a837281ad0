/**
 * A low-cardinality stand-in for a route, used only in span names: path
 * segments that look like identifiers (numbers, UUIDs, long hex or mixed
 * tokens) become "{id}". The real path is always in url.path / url.full.
 *
 * Runs once per span, so segments are classified by one scan of char codes
 * (same classes as /^\d+$/, a UUID, /^[0-9a-f]{16,}$/i and
 * /^(?=.*\d)[A-Za-z0-9_-]{20,}$/), and a path without ids is returned as is.
 */
const DASH = 0x2d;
/** Dashes of 8-4-4-4-12. */
const UUID_DASHES = [8, 13, 18, 23];

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66;
}

function isTokenChar(c: number): boolean {
  const lower = c | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || isDigit(c) || c === 0x5f || c === DASH;
}

function isUuid(path: string, start: number): boolean {
  for (let i = 0; i < 36; i++) {
    const c = path.charCodeAt(start + i);
    if (UUID_DASHES.includes(i) ? c !== DASH : !(isDigit(c) || isHexLetter(c))) return false;
  }
  return true;
}

function isIdSegment(path: string, start: number, end: number): boolean {
  const len = end - start;
  if (len === 0) return false;
  let digits = 0;
  let hex = 0;
  let token = 0;
  for (let i = start; i < end; i++) {
    const c = path.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (!isHexLetter(c)) {
      if (isTokenChar(c)) token++;
      continue;
    }
    hex++;
  }
  token += hex;
  if (digits === len) return true;
  if (len === 36 && isUuid(path, start)) return true;
  if (hex === len && len >= 16) return true;
  return token === len && len >= 20 && digits > 0;
}

export function routeTemplate(path: string): string {
  if (path === '' || path === '/') return '/';
  let out: string | undefined;
  let copied = 0;
  for (let start = 0; start <= path.length;) {
    let end = path.indexOf('/', start);
    if (end < 0) end = path.length;
    if (isIdSegment(path, start, end)) {
      out = `${out ?? ''}${path.slice(copied, start)}{id}`;
      copied = end;
    }
    start = end + 1;
  }
  return out === undefined ? path : out + path.slice(copied);
}
