/** Hand-written OTLP trace encoders: the SDK serializers' output, at a fraction of their cost. */
export { encodeTraceJson } from './encodeTraceJson';
export { jsonSpanSerializer } from './jsonSpanSerializer';
export { groupSpans } from './groupSpans';
export type { ResourceGroup, ScopeGroup } from './groupSpans';
export { hrTimeToNanoString, hrTimeToNanos } from './nanoTime';
export { spanFlags } from './spanFlags';
