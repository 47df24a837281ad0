export { Http2ConnectionParser, DEFAULT_HTTP2_LIMITS } from './Http2ConnectionParser';
export { http2ErrorName } from './constants';
export { HpackDecoder, type DecodedBlock, type HpackDecoderLimits } from './HpackDecoder';
export { headerValue, pseudoHeader } from './pseudoHeaders';
export type {
  HeaderBlockFields,
  HeaderList,
  Http2DataEvent,
  Http2Direction,
  Http2ErrorEvent,
  Http2Event,
  Http2GoawayEvent,
  Http2InformationalEvent,
  Http2ParserLimits,
  Http2ParserOptions,
  Http2ParserStats,
  Http2RequestEvent,
  Http2ResponseEvent,
  Http2StreamEndEvent,
  Http2StreamEndReason,
  Http2TrailersEvent,
} from './types';
