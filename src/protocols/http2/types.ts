/**
 * Shapes produced by the HTTP/2 connection parser.
 *
 * One Http2ConnectionParser follows one TCP connection. It is fed, per
 * direction, what the kernel copied of each read or write: push(direction,
 * captured, wireLength), where `direction` names who SENT the bytes and the
 * wireLength - captured.length bytes after `captured` went by unseen. Each
 * push returns the events that the bytes completed, in wire order of that
 * direction. Pushes of the two directions should come in the order they
 * happened; the parser tolerates the usual skew (a response pushed before
 * the request that caused it is still paired by stream id).
 *
 * Stream pairing is by stream id and exact: every event names its stream.
 * For each stream the parser emits, in order:
 *
 *   request            once, when the client's first header block is complete
 *                      (HEADERS + CONTINUATION frames, END_HEADERS seen);
 *   informational      zero or more 1xx responses (not with gRPC);
 *   response           once, the server's final response header block;
 *                      endStream = true makes it a Trailers-Only response
 *                      in gRPC terms (the status is in its headers);
 *   data               per DATA frame, when the frame's last byte went by,
 *                      from either side, interleaved with the above;
 *   trailers           a header block after the response (server) or after
 *                      the request (client); it always ends that side;
 *   end                exactly once, last: both sides ended their halves
 *                      (END_STREAM), or a RST_STREAM, a GOAWAY, the stream
 *                      limit, a fatal error or end() closed it.
 *
 * A parser that started late (or lost bytes to a gap) may see a stream
 * without its request, or without its response; then those events are
 * missing, never invented. Header values are never guessed: a field the
 * parser could not decode is left out and counted (`complete` is false),
 * and the convenience fields (method, path, status, ...) are set only when
 * their pseudo-header was decoded. An absent value means "not known".
 */

/** Who sent the bytes: the side that opened the connection, or the other. */
export type Http2Direction = 'client' | 'server';

/** A header list in wire order; names lower-cased, values as sent (latin1). */
export type HeaderList = Array<[name: string, value: string]>;

/** Fields every header-block event carries. */
export interface HeaderBlockFields {
  streamId: number;
  /** Pseudo-headers (":method", ...) and regular fields we could decode, in wire order. */
  headers: HeaderList;
  /**
   * True when `headers` is the whole block: no field was unreadable (late
   * start), nothing was cut by a gap, nothing dropped by the size limit.
   * When false, a header missing from `headers` may still have been sent.
   */
  complete: boolean;
}

export interface Http2RequestEvent extends HeaderBlockFields {
  type: 'request';
  /** The client sent END_STREAM with its headers: no request body. */
  endStream: boolean;
  /** Set from the pseudo-headers when they were decoded. */
  method?: string;
  path?: string;
  authority?: string;
  scheme?: string;
  /** The request came from a server PUSH_PROMISE, not from the client. */
  promised: boolean;
}

export interface Http2InformationalEvent extends HeaderBlockFields {
  type: 'informational';
  /** 100-199. */
  status: number;
}

export interface Http2ResponseEvent extends HeaderBlockFields {
  type: 'response';
  /** The final status, when the ":status" field was decoded. */
  status?: number;
  /** The server sent END_STREAM with these headers (no body, no trailers). */
  endStream: boolean;
}

export interface Http2TrailersEvent extends HeaderBlockFields {
  type: 'trailers';
  /** Who sent the trailers (almost always the server). */
  from: Http2Direction;
}

export interface Http2DataEvent {
  type: 'data';
  streamId: number;
  from: Http2Direction;
  /**
   * Octets of data in the frame, padding excluded. When the pad-length
   * octet itself went unseen, the frame's payload length less that octet.
   */
  bytes: number;
  endStream: boolean;
}

/**
 * Why a stream ended.
 * closed: both halves ended with END_STREAM (for a stream whose request we
 *   never saw, the server's END_STREAM alone ends it);
 * reset: RST_STREAM (errorCode and from say which code, and who sent it);
 * goaway: the peer's GOAWAY said the stream was never processed;
 * evicted: more than maxStreams streams were open, this was the oldest;
 * broken: the connection became unparseable (see the 'error' event);
 * connectionClosed: end() was called with the stream still open.
 */
export type Http2StreamEndReason = 'closed' | 'reset' | 'goaway' | 'evicted' | 'broken' | 'connectionClosed';

export interface Http2StreamEndEvent {
  type: 'end';
  streamId: number;
  reason: Http2StreamEndReason;
  /** RST_STREAM or GOAWAY error code, when the frame was seen. */
  errorCode?: number;
  /** Who sent the RST_STREAM or GOAWAY. */
  from?: Http2Direction;
  /** DATA octets each side sent on the stream, as far as we saw. */
  requestBytes: number;
  responseBytes: number;
}

export interface Http2GoawayEvent {
  type: 'goaway';
  from: Http2Direction;
  /** Highest stream id the sender may have processed; undefined if unseen. */
  lastStreamId?: number;
  errorCode?: number;
}

/**
 * Something was wrong with the bytes. fatal: the connection is marked
 * broken, every open stream gets an 'end' with reason 'broken', and further
 * input is ignored. Not fatal: the parser lost sync with one direction
 * (for example after resynchronising on a guess), or one header block was
 * unusable; parsing goes on and values stay trustworthy.
 */
export interface Http2ErrorEvent {
  type: 'error';
  from?: Http2Direction;
  streamId?: number;
  reason: string;
  fatal: boolean;
}

export type Http2Event =
  | Http2RequestEvent
  | Http2InformationalEvent
  | Http2ResponseEvent
  | Http2TrailersEvent
  | Http2DataEvent
  | Http2StreamEndEvent
  | Http2GoawayEvent
  | Http2ErrorEvent;

export interface Http2ParserLimits {
  /** Open streams tracked per connection; the oldest is dropped beyond it. */
  maxStreams: number;
  /** Octets (name + value + 32 per field, RFC 9113 section 6.5.2) kept per header block. */
  maxHeaderListSize: number;
  /** Octets of compressed header block (HEADERS + CONTINUATION) buffered per direction. */
  maxHeaderBlockBytes: number;
  /** Octets of HPACK dynamic table kept per direction, whatever the peer allows. */
  maxTableSize: number;
}

export interface Http2ParserOptions extends Partial<Http2ParserLimits> {
  /**
   * Whether the caller saw the connection being established, so the
   * parser sees it from its first byte. Undefined: decide from the bytes
   * (the client preface). false: the HPACK state is treated as unknown
   * from the start even if a preface-looking chunk arrives.
   */
  fromStart?: boolean;
}

/** Counters for kspan's own health metrics. */
export interface Http2ParserStats {
  /** Frames whose header we read. */
  frames: number;
  /** Frames of types this parser does not know (skipped, as RFC 9113 says). */
  unknownFrames: number;
  /** Header blocks decoded. */
  headerBlocks: number;
  /** Header fields we could not decode (unknown dynamic entries). */
  unknownHeaderFields: number;
  /** Pushes with unseen bytes, and the unseen octets. */
  gaps: number;
  unseenBytes: number;
  /** Times frame alignment was lost (a gap hid a frame header), and regained. */
  syncLost: number;
  resyncs: number;
  /** Times a direction's HPACK state became partly unknown. */
  hpackLost: number;
  /** Header blocks over the list or buffer limit. */
  oversizedHeaderBlocks: number;
  /** Streams dropped by the maxStreams limit. */
  streamsEvicted: number;
  /** Frames for streams already closed or forgotten. */
  framesOnClosedStreams: number;
  /** Error events (fatal or not). */
  errors: number;
}
