import { ABSENT, contentLength, INVALID, TransferCoding, transferCoding } from './framingFields';
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

/** Framing from Content-Length, given there is no Transfer-Encoding. */
function lengthFraming(headers: HeaderList, absent: BodyFraming): BodyFraming | string {
  const n = contentLength(headers);
  if (n === ABSENT) return absent;
  if (n === INVALID) return 'bad content-length';
  return n === 0 ? NONE : { kind: 'length', length: n };
}

/** Framing of a request body, or an error reason. */
export function requestFraming(head: Http1RequestHead): BodyFraming | string {
  const te = transferCoding(head.headers);
  // Transfer-Encoding overrides Content-Length; a request whose last coding
  // is not chunked has no determinable length and servers reject it.
  if (te !== TransferCoding.Absent) return te === TransferCoding.Chunked ? CHUNKED : 'bad transfer-encoding';
  return lengthFraming(head.headers, NONE);
}

/** Framing of a response body given the method of its request. */
export function responseFraming(head: Http1ResponseHead, method: string): BodyFraming | string {
  const status = head.status;
  if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) return TUNNEL;
  if (status < 200 || status === 204 || status === 304 || method === 'HEAD') return NONE;
  const te = transferCoding(head.headers);
  if (te !== TransferCoding.Absent) return te === TransferCoding.Chunked ? CHUNKED : CLOSE;
  return lengthFraming(head.headers, CLOSE);
}
