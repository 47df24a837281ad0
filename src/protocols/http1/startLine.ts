import type { Http1Direction } from './types';

/**
 * Methods we trust when guessing where a message starts after lost sync.
 * In normal parsing any upper-case token is accepted as a method (custom
 * methods exist); only resynchronisation needs a closed list, because it is
 * looking for a start line inside bytes of unknown meaning.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT',
  'SEARCH', 'PURGE', 'MKCALENDAR',
]);

/** Longest method token accepted at all. */
export const MAX_METHOD_LENGTH = 20;

const SP = 0x20;
/** "HTTP/1." */
const RESPONSE_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e];

export type PrefixVerdict = 'yes' | 'no' | 'maybe';

function isMethodByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f;
}

function isKnownMethodPrefix(bytes: Uint8Array, from: number, to: number): boolean {
  const prefix = String.fromCharCode(...bytes.subarray(from, to));
  for (const m of KNOWN_METHODS) if (m.startsWith(prefix)) return true;
  return false;
}

/**
 * Can bytes[from, to) be the beginning of a start line? Looks at no more than
 * MAX_METHOD_LENGTH + 1 bytes, so it is cheap to call at every line start.
 * 'maybe' means the bytes ran out before a decision; `strict` demands a
 * known method (used when resynchronising).
 */
export function startLinePrefix(
  direction: Http1Direction,
  bytes: Uint8Array,
  from: number,
  to: number,
  strict: boolean,
): PrefixVerdict {
  if (direction === 'response') {
    const n = Math.min(to - from, RESPONSE_PREFIX.length);
    for (let i = 0; i < n; i++) if (bytes[from + i] !== RESPONSE_PREFIX[i]) return 'no';
    return n === RESPONSE_PREFIX.length ? 'yes' : 'maybe';
  }
  const stop = Math.min(to, from + MAX_METHOD_LENGTH + 1);
  for (let i = from; i < stop; i++) {
    const b = bytes[i];
    if (b === SP) {
      if (i === from) return 'no';
      if (!strict) return 'yes';
      return KNOWN_METHODS.has(String.fromCharCode(...bytes.subarray(from, i))) ? 'yes' : 'no';
    }
    if (!isMethodByte(b)) return 'no';
  }
  if (stop < to || stop - from > MAX_METHOD_LENGTH) return 'no';
  if (strict && !isKnownMethodPrefix(bytes, from, stop)) return 'no';
  return 'maybe';
}
