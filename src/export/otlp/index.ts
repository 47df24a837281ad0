/** Hand-written OTLP trace encoders: the SDK serializers' output, at a fraction of their cost. */
export { encodeTraceJson } from './encodeTraceJson';
export { jsonSpanSerializer } from './jsonSpanSerializer';
export { encodeTraceProto } from './encodeTraceProto';
export { protoSpanSerializer } from './protoSpanSerializer';
export { groupSpans } from './groupSpans';
export type { ResourceGroup, ScopeGroup, ScopeMatch } from './groupSpans';
export { hrTimeToNanoString, hrTimeToNanos } from './nanoTime';
export { spanFlags } from './spanFlags';
