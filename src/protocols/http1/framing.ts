import type { HeaderList, Http1RequestHead, Http1ResponseHead } from './types';

/** How the body after a head is delimited (RFC 9112 section 6.3). */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** Response body delimited by the connection closing. */
  | { kind: 'close' }
  /** No body, and the connection stops carrying HTTP/1.x (101, CONNECT 2xx). */
  | { kind: 'tunnel' };

const NONE: BodyFraming = { kind: 'none' };
const CHUNKED: BodyFraming = { kind: 'chunked' };
const CLOSE: BodyFraming = { kind: 'close' };
const TUNNEL: BodyFraming = { kind: 'tunnel' };

function headerValues(headers: HeaderList, name: string): string[] | undefined {
  let values: string[] | undefined;
  for (const [n, v] of headers) {
    if (n === name) (values ??= []).push(v);
  }
  return values;
}

/** True when the last transfer coding is chunked; the others do not delimit. */
function isChunked(values: string[]): boolean {
  const codings = values.join(',').split(',');
  for (let i = codings.length - 1; i >= 0; i--) {
    const c = codings[i].trim().toLowerCase();
    if (c !== '') return c === 'chunked';
  }
  return false;
}

/**
 * Content-Length, or undefined when invalid. Repeated fields or list values
 * are accepted only if they all agree, as RFC 9110 section 8.6 allows.
 */
function contentLength(values: string[]): number | undefined {
  let length: number | undefined;
  for (const part of values.join(',').split(',')) {
    const s = part.trim();
    if (!/^[0-9]{1,16}$/.test(s)) return undefined;
    const n = Number(s);
    if (!Number.isSafeInteger(n) || (length !== undefined && n !== length)) return undefined;
    length = n;
  }
  return length;
}

/** Framing of a request body, or an error reason. */
export function requestFraming(head: Http1RequestHead): BodyFraming | string {
  const te = headerValues(head.headers, 'transfer-encoding');
  // Transfer-Encoding overrides Content-Length; a request whose last coding
  // is not chunked has no determinable length and servers reject it.
  if (te) return isChunked(te) ? CHUNKED : 'bad transfer-encoding';
  const cl = headerValues(head.headers, 'content-length');
  if (!cl) return NONE;
  const n = contentLength(cl);
  if (n === undefined) return 'bad content-length';
  return n === 0 ? NONE : { kind: 'length', length: n };
}

/** Framing of a response body given the method of its request. */
export function responseFraming(head: Http1ResponseHead, method: string): BodyFraming | string {
  const status = head.status;
  if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) return TUNNEL;
  if (status < 200 || status === 204 || status === 304 || method === 'HEAD') return NONE;
  const te = headerValues(head.headers, 'transfer-encoding');
  if (te) return isChunked(te) ? CHUNKED : CLOSE;
  const cl = headerValues(head.headers, 'content-length');
  if (!cl) return CLOSE;
  const n = contentLength(cl);
  if (n === undefined) return 'bad content-length';
  return n === 0 ? NONE : { kind: 'length', length: n };
}
