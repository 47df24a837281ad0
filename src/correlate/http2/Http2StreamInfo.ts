import type { Http2RequestEvent, Http2ResponseEvent, Http2TrailersEvent } from '../../protocols/http2/types';

/**
 * What an HTTP/2 exchange (one stream, seen from one end) carries beyond the
 * HTTP/1 fields: the stream id and the header blocks the parser reported.
 * Any block may be partial after a late start (`complete` false): the span
 * builder then leaves out what was not decoded rather than guess it.
 */
export class Http2StreamInfo {
  /** The client's header block; every exchange has one (it is what starts it). */
  request: Http2RequestEvent;
  /** The server's final response headers, when seen. */
  response: Http2ResponseEvent | undefined;
  /** The server's trailers (gRPC status), when seen. */
  trailers: Http2TrailersEvent | undefined;
  /** DATA octets each side sent, padding excluded. */
  requestBytes = 0;
  responseBytes = 0;
  /** The server ended its half (END_STREAM): the exchange is complete. */
  responseEnded = false;
  /** RST_STREAM error code, when a reset ended the stream early. */
  resetCode: number | undefined;
  /**
   * Frame alignment losses on the connection when the stream began; if
   * more happened before it ended, frames may have gone unseen and the
   * byte counts are only lower bounds (so they are not exported).
   */
  syncLostAtStart = 0;
  bytesExact = true;

  constructor(readonly streamId: number, request: Http2RequestEvent) {
    this.request = request;
  }

  /** Every header block seen was decoded whole. */
  get headersComplete(): boolean {
    return this.request.complete && (this.response?.complete ?? true) && (this.trailers?.complete ?? true);
  }
}
