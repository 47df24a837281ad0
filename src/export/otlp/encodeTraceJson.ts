import type { Link } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { groupSpans } from './groupSpans';
import type { ResourceGroup, ScopeGroup } from './groupSpans';
import { writeAttributes, writeKeyValues } from './jsonAnyValue';
import { JsonWriter } from './JsonWriter';
import { spanFlags } from './spanFlags';

/** Encoding is synchronous, so one scratch buffer serves every call. */
const writer = new JsonWriter();

/**
 * An OTLP/JSON ExportTraceServiceRequest for `spans`, as UTF-8 bytes.
 * Members are written in the order the SDK's JSON serializer writes them, so
 * for well-formed spans the bytes are the SDK's exactly: ids as given (hex),
 * times as decimal nanosecond strings, kind as the OTLP enum (API kind + 1),
 * every dropped count, the span flags.
 */
export function encodeTraceJson(spans: readonly ReadableSpan[]): Buffer {
  const w = writer;
  w.reset();
  try {
    w.lit('{"resourceSpans":[');
    const groups = groupSpans(spans);
    for (let i = 0; i < groups.length; i++) {
      if (i > 0) w.lit(',');
      writeResourceSpans(w, groups[i]!);
    }
    w.lit(']}');
    return w.finish();
  } finally {
    w.reset();
  }
}

function writeResourceSpans(w: JsonWriter, group: ResourceGroup): void {
  w.lit('{"resource":');
  writeResource(w, group.resource);
  w.lit(',"scopeSpans":[');
  for (let i = 0; i < group.scopes.length; i++) {
    if (i > 0) w.lit(',');
    writeScopeSpans(w, group.scopes[i]!);
  }
  w.lit(']');
  // Written only when non-empty, in the resource and here alike.
  if (group.resource.schemaUrl) w.optionalMember(',"schemaUrl":', group.resource.schemaUrl);
  w.lit('}');
}

function writeResource(w: JsonWriter, resource: Resource): void {
  w.lit('{"attributes":');
  writeAttributes(w, resource.attributes);
  w.lit(',"droppedAttributesCount":0');
  if (resource.schemaUrl) w.optionalMember(',"schemaUrl":', resource.schemaUrl);
  w.lit('}');
}

function writeScopeSpans(w: JsonWriter, group: ScopeGroup): void {
  w.lit('{"scope":');
  writeScope(w, group.scope);
  w.lit(',"spans":[');
  const spans = group.spans;
  for (let i = 0; i < spans.length; i++) {
    if (i > 0) w.lit(',');
    writeSpan(w, spans[i]!);
  }
  w.lit(']');
  w.optionalMember(',"schemaUrl":', group.scope.schemaUrl);
  w.lit('}');
}

/** Scope attributes are not in the core type, but the SDK writes them when a scope carries some. */
interface ScopeWithAttributes extends InstrumentationScope {
  attributes?: Record<string, unknown>;
  droppedAttributesCount?: number;
}

function writeScope(w: JsonWriter, scope: ScopeWithAttributes): void {
  w.lit('{"name":');
  w.scalar(scope.name);
  w.optionalMember(',"version":', scope.version);
  if (scope.attributes && Object.keys(scope.attributes).length > 0) {
    w.lit(',"attributes":');
    writeKeyValues(w, scope.attributes);
    w.lit(',"droppedAttributesCount":');
    w.scalar(scope.droppedAttributesCount ?? 0);
  }
  w.lit('}');
}

function writeSpan(w: JsonWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  w.lit('{"traceId":');
  w.scalar(context.traceId);
  w.lit(',"spanId":');
  w.scalar(context.spanId);
  if (parent?.spanId) w.optionalMember(',"parentSpanId":', parent.spanId);
  if (context.traceState) w.optionalMember(',"traceState":', context.traceState.serialize());
  w.lit(',"name":');
  w.scalar(span.name);
  w.lit(',"kind":');
  w.number(span.kind == null ? 0 : span.kind + 1);
  w.lit(',"startTimeUnixNano":');
  w.nanos(span.startTime);
  w.lit(',"endTimeUnixNano":');
  w.nanos(span.endTime);
  w.lit(',"attributes":');
  writeAttributes(w, span.attributes);
  w.optionalMember(',"droppedAttributesCount":', span.droppedAttributesCount);
  w.lit(',"events":');
  writeEvents(w, span.events);
  w.optionalMember(',"droppedEventsCount":', span.droppedEventsCount);
  w.lit(',"status":{"code":');
  w.scalar(span.status.code);
  w.optionalMember(',"message":', span.status.message);
  w.lit('},"links":');
  writeLinks(w, span.links);
  w.optionalMember(',"droppedLinksCount":', span.droppedLinksCount);
  w.lit(',"flags":');
  w.number(spanFlags(context.traceFlags, parent?.isRemote));
  w.lit('}');
}

function writeEvents(w: JsonWriter, events: readonly TimedEvent[] | undefined): void {
  w.lit('[');
  const n = events ? events.length : 0;
  for (let i = 0; i < n; i++) {
    const event = events![i]!;
    w.lit(i === 0 ? '{"attributes":' : ',{"attributes":');
    writeAttributes(w, event.attributes);
    w.lit(',"name":');
    w.scalar(event.name);
    w.lit(',"timeUnixNano":');
    w.nanos(event.time);
    w.lit(',"droppedAttributesCount":');
    w.scalar(event.droppedAttributesCount || 0);
    w.lit('}');
  }
  w.lit(']');
}

function writeLinks(w: JsonWriter, links: readonly Link[] | undefined): void {
  w.lit('[');
  const n = links ? links.length : 0;
  for (let i = 0; i < n; i++) {
    const link = links![i]!;
    const context = link.context;
    w.lit(i === 0 ? '{"attributes":' : ',{"attributes":');
    writeAttributes(w, link.attributes);
    w.lit(',"spanId":');
    w.scalar(context.spanId);
    w.lit(',"traceId":');
    w.scalar(context.traceId);
    if (context.traceState) w.optionalMember(',"traceState":', context.traceState.serialize());
    w.lit(',"droppedAttributesCount":');
    w.scalar(link.droppedAttributesCount || 0);
    w.lit(',"flags":');
    w.number(spanFlags(context.traceFlags, context.isRemote));
    w.lit('}');
  }
  w.lit(']');
}
