import type { Http2Direction } from '../../protocols/http2/types';
import { plausibleFrameHeader, prefixLength, readFrameHeader, type FrameHeader } from '../../protocols/http2/frameRules';
import { HpackDecoder } from '../../protocols/http2/HpackDecoder';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** The kernel classifies a connection as HTTP/2 on these four octets. */
const PREFACE_MIN = 4;
const FRAME_HEADER = 9;
const HEADERS = 0x1;
const PADDED = 0x8;
/** Bounds for the throw-away decoder that reads a block of a connection joined mid-way. */
const PROBE_LIMITS = { maxTableSize: 4096, maxHeaderListSize: 16384 };
const ANY_FRAME_SIZE = 0xffffff;

/** The chunk begins with (as much as it holds of) the client connection preface. */
export function startsWithPreface(p: Uint8Array): boolean {
  const n = Math.min(p.length, PREFACE.length);
  if (n < PREFACE_MIN) return false;
  for (let i = 0; i < n; i++) if (p[i] !== PREFACE[i]) return false;
  return true;
}

/**
 * Which side sent a chunk of an HTTP/2 connection joined mid-way (no
 * preface), or undefined when the chunk does not show it. Every frame
 * header in the chunk must be plausible, and a HEADERS block must show a
 * pseudo-header: :method, :path, :scheme or :authority in requests,
 * :status in responses. The block is read with an HPACK decoder that
 * knows its table is unknown, so only fields that need no earlier state
 * (static-table entries, literals) count; encoders index :method and
 * :status statically. A chunk with only other frames waits.
 */
export function lateHttp2Sender(p: Uint8Array, wire: number): Http2Direction | undefined {
  const h: FrameHeader = { length: 0, type: 0, flags: 0, streamId: 0, reserved: false };
  let sender: Http2Direction | undefined;
  let at = 0;
  let frames = 0;
  while (at + FRAME_HEADER <= p.length && at < wire) {
    readFrameHeader(p, at, h);
    if (!plausibleFrameHeader(h, 'client', ANY_FRAME_SIZE) && !plausibleFrameHeader(h, 'server', ANY_FRAME_SIZE)) return undefined;
    frames++;
    if (h.type === HEADERS && sender === undefined) sender = senderOfBlock(p, at, h);
    at += FRAME_HEADER + h.length;
  }
  return frames > 0 ? sender : undefined;
}

/** Request or response, from the pseudo-headers of the block of the HEADERS frame at `at`. */
function senderOfBlock(p: Uint8Array, at: number, h: FrameHeader): Http2Direction | undefined {
  const payload = at + FRAME_HEADER;
  const start = payload + prefixLength(h.type, h.flags);
  const pad = (h.flags & PADDED) !== 0 && payload < p.length ? p[payload] : 0;
  const end = Math.min(payload + h.length - pad, p.length);
  if (start >= end) return undefined;
  const block = new HpackDecoder(PROBE_LIMITS, undefined).decode(p, start, end, end < payload + h.length - pad);
  for (const [name] of block.headers) {
    if (name === ':status') return 'server';
    if (name === ':method' || name === ':path' || name === ':scheme' || name === ':authority') return 'client';
  }
  return undefined;
}
