import type { HeaderList } from './types';

/**
 * The value of a pseudo-header (":method", ":status", ...). Pseudo-headers
 * precede regular fields (RFC 9113 section 8.3), so the scan stops at the
 * first regular field: a ":path" among regular fields is malformed and not
 * trusted.
 */
export function pseudoHeader(headers: HeaderList, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const n = headers[i][0];
    if (n.charCodeAt(0) !== 0x3a) return undefined;
    if (n === name) return headers[i][1];
  }
  return undefined;
}

/** Whether any decoded field is a regular (non-pseudo) one. */
export function hasRegularField(headers: HeaderList): boolean {
  for (let i = 0; i < headers.length; i++) if (headers[i][0].charCodeAt(0) !== 0x3a) return true;
  return false;
}

/** ":status" as a number when it is three digits (RFC 9113 section 8.3.2). */
export function parseStatus(value: string | undefined): number | undefined {
  if (value === undefined || !/^[1-9][0-9]{2}$/.test(value)) return undefined;
  return Number(value);
}

/** A regular field's first value, for callers that know the field is single-valued. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) if (headers[i][0] === name) return headers[i][1];
  return undefined;
}
