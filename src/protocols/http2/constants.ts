/** Wire constants of HTTP/2 (RFC 9113). */

/** The client connection preface: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
export const CLIENT_PREFACE = Uint8Array.from(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'));

export const FRAME_HEADER_BYTES = 9;

export const enum FrameType {
  DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PUSH_PROMISE = 0x5,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9,
}

/** Highest frame type this parser knows; higher types are skipped (RFC 9113 section 4.1). */
export const LAST_KNOWN_FRAME_TYPE = FrameType.CONTINUATION;

export const enum FrameFlag {
  END_STREAM = 0x1,
  ACK = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY = 0x20,
}

export const enum SettingId {
  HEADER_TABLE_SIZE = 0x1,
  ENABLE_PUSH = 0x2,
  MAX_CONCURRENT_STREAMS = 0x3,
  INITIAL_WINDOW_SIZE = 0x4,
  MAX_FRAME_SIZE = 0x5,
  MAX_HEADER_LIST_SIZE = 0x6,
}

/** SETTINGS_MAX_FRAME_SIZE before the peer says otherwise, and its bounds. */
export const DEFAULT_MAX_FRAME_SIZE = 16384;
export const LARGEST_MAX_FRAME_SIZE = 0xffffff;

/** SETTINGS_HEADER_TABLE_SIZE before the peer says otherwise. */
export const DEFAULT_HEADER_TABLE_SIZE = 4096;

/** Names of the RST_STREAM and GOAWAY error codes (RFC 9113 section 7), by code. */
const ERROR_NAMES: readonly string[] = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/** "CANCEL" for 8; codes RFC 9113 does not name (peers may send them) as "0x..". */
export function http2ErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}
