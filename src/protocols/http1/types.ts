/** Shapes produced by the HTTP/1.x stream parser. */

export type Http1Direction = 'request' | 'response';

/** A header list in wire order; names lower-cased, values trimmed. */
export type HeaderList = Array<[name: string, value: string]>;

export interface Http1RequestHead {
  kind: 'request';
  method: string;
  /** Request target exactly as sent (path + query, or absolute form). */
  target: string;
  /** "1.0" or "1.1". */
  version: string;
  headers: HeaderList;
}

export interface Http1ResponseHead {
  kind: 'response';
  status: number;
  reason: string;
  version: string;
  headers: HeaderList;
}

export type Http1Head = Http1RequestHead | Http1ResponseHead;

/**
 * What one chunk of bytes did to the stream, in order. A chunk can start,
 * finish and start again several messages (pipelining, 1xx interim responses).
 */
export type Http1Event =
  /** The first byte of a new message was in this chunk. */
  | { type: 'start' }
  /** The message's head (start line + headers) was complete in this chunk. */
  | { type: 'head'; head: Http1Head }
  /** The message (head + body) ended in this chunk. interim = 1xx response. */
  | { type: 'end'; interim: boolean; bodyBytes: number }
  /**
   * The message that started cannot be followed (hostile bytes, a limit, an
   * unseen gap inside its head, or the stream ended early); the parser
   * resynchronises. `partial`, when present, holds the start line and the
   * header lines that were complete before a gap or close cut the head, so a
   * span can still be named.
   */
  | { type: 'error'; reason: string; partial?: Http1Head };

export interface Http1ParserLimits {
  /** Longest head (start line + headers) accepted, bytes. */
  maxHeadBytes: number;
  /** Most header fields kept per message. */
  maxHeaders: number;
}
