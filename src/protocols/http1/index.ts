export { Http1StreamParser, DEFAULT_HTTP1_LIMITS } from './Http1StreamParser';
export { splitTarget } from './url';
export type {
  HeaderList,
  Http1Direction,
  Http1Event,
  Http1Head,
  Http1ParserLimits,
  Http1RequestHead,
  Http1ResponseHead,
} from './types';
