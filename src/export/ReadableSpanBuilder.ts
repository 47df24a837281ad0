import { SpanKind, SpanStatusCode, TraceFlags, isValidSpanId } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { KspanSpan, KspanSpanKind } from '../correlate/span';
import { nanosToHrTime } from './hrTime';

const KINDS: Record<KspanSpanKind, SpanKind> = {
  SERVER: SpanKind.SERVER,
  CLIENT: SpanKind.CLIENT,
  INTERNAL: SpanKind.INTERNAL,
};

const STATUS = { UNSET: SpanStatusCode.UNSET, OK: SpanStatusCode.OK, ERROR: SpanStatusCode.ERROR } as const;

/**
 * A finished kspan span as the SDK's ReadableSpan, built directly: the span
 * already ended in the kernel's past and its ids are chosen, so the SDK's
 * live-span machinery (Tracer, Span, id generator, attribute sanitising,
 * sampler) would only cost time on the per-span path. Batch processors and
 * exporters take it like any SDK span.
 */
export function toReadableSpan(span: KspanSpan, resource: Resource, scope: { name: string; version?: string }): ReadableSpan {
  const context: SpanContext = { traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  const readable: ReadableSpan = {
    name: span.name,
    kind: KINDS[span.kind],
    spanContext: () => context,
    parentSpanContext: span.parentSpanId && isValidSpanId(span.parentSpanId)
      ? { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: span.parentIsRemote === true }
      : undefined,
    startTime: nanosToHrTime(span.startTimeUnixNano),
    endTime: nanosToHrTime(span.endTimeUnixNano),
    duration: nanosToHrTime(span.endTimeUnixNano - span.startTimeUnixNano),
    status: span.status.code === 'ERROR' ? { code: STATUS.ERROR, message: span.status.message } : { code: STATUS[span.status.code] },
    attributes: span.attributes,
    links: [],
    events: (span.events ?? []).map((e) => ({ name: e.name, attributes: e.attributes, time: nanosToHrTime(e.timeUnixNano), droppedAttributesCount: 0 })),
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
  return readable;
}
