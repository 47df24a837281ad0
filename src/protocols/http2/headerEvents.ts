import type { DecodedBlock } from './HpackDecoder';
import { hasRegularField, parseStatus, pseudoHeader } from './pseudoHeaders';
import type { Http2Stream } from './StreamTable';
import type { Http2Event, Http2RequestEvent, Http2ResponseEvent } from './types';

/** Every field of the block was read: none unknown, cut or dropped. */
export function isComplete(block: DecodedBlock): boolean {
  return block.unknownFields === 0 && !block.truncated && !block.oversize;
}

/** A request event, with the pseudo-headers that were decoded. */
export function requestEvent(streamId: number, block: DecodedBlock, endStream: boolean, promised: boolean): Http2RequestEvent {
  const h = block.headers;
  const event: Http2RequestEvent = { type: 'request', streamId, headers: h, complete: isComplete(block), endStream, promised };
  const method = pseudoHeader(h, ':method');
  if (method !== undefined) event.method = method;
  const path = pseudoHeader(h, ':path');
  if (path !== undefined) event.path = path;
  const authority = pseudoHeader(h, ':authority');
  if (authority !== undefined) event.authority = authority;
  const scheme = pseudoHeader(h, ':scheme');
  if (scheme !== undefined) event.scheme = scheme;
  return event;
}

/**
 * What a header block the server sent on stream `s` is: a 1xx, the final
 * response, or trailers (RFC 9113 section 8.1). A block after the final
 * response is trailers. Otherwise ":status" decides; when it was not
 * decoded but may hide among unreadable fields, the block is taken as the
 * response (status unknown) if the stream's request was seen or the block
 * does not end the stream, and as trailers if it ends a stream we joined
 * late. Marks the final response on `s`.
 */
export function serverBlockEvent(s: Http2Stream, block: DecodedBlock, endStream: boolean): Http2Event {
  const h = block.headers;
  const streamId = s.id;
  const complete = isComplete(block);
  if (s.finalResponseSeen) return { type: 'trailers', streamId, from: 'server', headers: h, complete };
  const status = parseStatus(pseudoHeader(h, ':status'));
  if (status !== undefined && status < 200) return { type: 'informational', streamId, status, headers: h, complete };
  const hidden = status === undefined && (block.pseudoMaybeUnknown || (block.truncated && !hasRegularField(h)));
  if (status !== undefined || (hidden && (s.requestSeen || !endStream))) {
    s.finalResponseSeen = true;
    const event: Http2ResponseEvent = { type: 'response', streamId, headers: h, complete, endStream };
    if (status !== undefined) event.status = status;
    return event;
  }
  return { type: 'trailers', streamId, from: 'server', headers: h, complete };
}
