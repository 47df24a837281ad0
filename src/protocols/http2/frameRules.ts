import { FrameFlag, FrameType, LAST_KNOWN_FRAME_TYPE } from './constants';
import type { Http2Direction } from './types';

/** The 9-octet frame header (RFC 9113 section 4.1), decoded. */
export interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  streamId: number;
  /** The reserved bit in front of the stream id. */
  reserved: boolean;
}

export function readFrameHeader(b: Uint8Array, at: number, out: FrameHeader): void {
  out.length = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
  out.type = b[at + 3];
  out.flags = b[at + 4];
  out.reserved = (b[at + 5] & 0x80) !== 0;
  out.streamId = ((b[at + 5] & 0x7f) * 0x1000000) + ((b[at + 6] << 16) | (b[at + 7] << 8) | b[at + 8]);
}

/** Octets of payload before the header block fragment or data. */
export function prefixLength(type: number, flags: number): number {
  const padded = flags & FrameFlag.PADDED ? 1 : 0;
  switch (type) {
    case FrameType.DATA:
      return padded;
    case FrameType.HEADERS:
      return padded + (flags & FrameFlag.PRIORITY ? 5 : 0);
    case FrameType.PUSH_PROMISE:
      return padded + 4;
    default:
      return 0;
  }
}

function isPadded(type: number): boolean {
  return type === FrameType.DATA || type === FrameType.HEADERS || type === FrameType.PUSH_PROMISE;
}

/**
 * The violation of RFC 9113 a frame header shows on its own, or undefined.
 * `maxFrameSize` is the receiver's SETTINGS_MAX_FRAME_SIZE as far as known.
 * Unknown types and flags are not violations: receivers must ignore them.
 */
export function frameViolation(h: FrameHeader, from: Http2Direction, maxFrameSize: number): string | undefined {
  if (h.length > maxFrameSize) return `frame length ${h.length} above max frame size ${maxFrameSize}`;
  const t = h.type;
  if (t > LAST_KNOWN_FRAME_TYPE) return undefined;
  const onConnection = t === FrameType.SETTINGS || t === FrameType.PING || t === FrameType.GOAWAY;
  if (onConnection && h.streamId !== 0) return `frame type ${t} on stream ${h.streamId}`;
  if (!onConnection && t !== FrameType.WINDOW_UPDATE && h.streamId === 0) return `frame type ${t} on stream 0`;
  if (isPadded(t) && h.length < prefixLength(t, h.flags)) return `frame type ${t} too short for its flags`;
  switch (t) {
    case FrameType.HEADERS:
      if (from === 'client' && h.streamId % 2 === 0) return `client HEADERS on even stream ${h.streamId}`;
      return undefined;
    case FrameType.PRIORITY:
      return h.length === 5 ? undefined : 'PRIORITY length is not 5';
    case FrameType.RST_STREAM:
      return h.length === 4 ? undefined : 'RST_STREAM length is not 4';
    case FrameType.SETTINGS:
      if (h.flags & FrameFlag.ACK) return h.length === 0 ? undefined : 'SETTINGS ACK with payload';
      return h.length % 6 === 0 ? undefined : 'SETTINGS length not a multiple of 6';
    case FrameType.PUSH_PROMISE:
      return from === 'client' ? 'PUSH_PROMISE from a client' : undefined;
    case FrameType.PING:
      return h.length === 8 ? undefined : 'PING length is not 8';
    case FrameType.GOAWAY:
      return h.length >= 8 ? undefined : 'GOAWAY shorter than 8';
    case FrameType.WINDOW_UPDATE:
      return h.length === 4 ? undefined : 'WINDOW_UPDATE length is not 4';
    default:
      return undefined;
  }
}

/** Flags each known type defines. */
const DEFINED_FLAGS: readonly number[] = [
  FrameFlag.END_STREAM | FrameFlag.PADDED, // DATA
  FrameFlag.END_STREAM | FrameFlag.END_HEADERS | FrameFlag.PADDED | FrameFlag.PRIORITY, // HEADERS
  0, // PRIORITY
  0, // RST_STREAM
  FrameFlag.ACK, // SETTINGS
  FrameFlag.END_HEADERS | FrameFlag.PADDED, // PUSH_PROMISE
  FrameFlag.ACK, // PING
  0, // GOAWAY
  0, // WINDOW_UPDATE
  FrameFlag.END_HEADERS, // CONTINUATION
];

/**
 * Whether the 9 octets at `at` look like a frame header a real peer would
 * send, strictly: used to regain frame alignment after a gap, where bytes
 * of a payload must not be taken for a header. Beyond frameViolation, the
 * type must be known and not CONTINUATION (its HEADERS went unseen), no
 * undefined flag or reserved bit may be set, and the length must fit the
 * usual maximum frame size.
 */
export function plausibleFrameHeader(h: FrameHeader, from: Http2Direction, maxFrameSize: number): boolean {
  if (h.type > LAST_KNOWN_FRAME_TYPE || h.type === FrameType.CONTINUATION) return false;
  if (h.reserved || (h.flags & ~DEFINED_FLAGS[h.type]) !== 0) return false;
  if (from === 'server' && h.type === FrameType.HEADERS && h.streamId % 2 === 0 && h.streamId !== 0) {
    // Only pushed streams are even; a push needs a PUSH_PROMISE we would have seen.
    return false;
  }
  return frameViolation(h, from, maxFrameSize) === undefined;
}
