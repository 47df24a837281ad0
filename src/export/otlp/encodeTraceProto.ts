import type { Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { groupSpans } from './groupSpans';
import type { ResourceGroup, ScopeGroup } from './groupSpans';
import { writeKeyValues } from './protoAnyValue';
import { ProtoWriter } from './ProtoWriter';
import { spanFlags } from './spanFlags';

/** Encoding is synchronous, so one scratch buffer serves every call. */
const writer = new ProtoWriter();

/**
 * Length bytes reserved per message kind, fitted to kspan's sizes (see
 * ProtoWriter.begin): groups of spans run to hundreds of kilobytes, a span
 * to a few hundred bytes, its parts to less than 128.
 */
const GROUP_LEN = 3;
const RESOURCE_LEN = 2;
const SPAN_LEN = 2;
const PART_LEN = 1;

/**
 * An OTLP ExportTraceServiceRequest for `spans` in protobuf wire format.
 * Fields, their order and when each is left out follow the SDK's protobuf
 * serializer, so the bytes are its bytes: ids as raw bytes from hex, times
 * as exact fixed64 nanoseconds, kind as the OTLP enum (API kind + 1, absent
 * when unspecified), every dropped count, the span flags. Scopes are told
 * apart by identity, as that serializer does.
 */
export function encodeTraceProto(spans: readonly ReadableSpan[]): Buffer {
  const w = writer;
  w.reset();
  try {
    const groups = groupSpans(spans, 'identical');
    for (let i = 0; i < groups.length; i++) {
      w.byte(0x0a); // resource_spans = 1
      const at = w.begin(GROUP_LEN);
      writeResourceSpans(w, groups[i]!);
      w.end(at, GROUP_LEN);
    }
    return w.finish();
  } finally {
    w.reset();
  }
}

function writeResourceSpans(w: ProtoWriter, group: ResourceGroup): void {
  w.byte(0x0a); // resource = 1
  const at = w.begin(RESOURCE_LEN);
  writeResource(w, group.resource);
  w.end(at, RESOURCE_LEN);
  for (let i = 0; i < group.scopes.length; i++) {
    w.byte(0x12); // scope_spans = 2
    const scoped = w.begin(GROUP_LEN);
    writeScopeSpans(w, group.scopes[i]!);
    w.end(scoped, GROUP_LEN);
  }
  if (group.resource.schemaUrl) {
    w.byte(0x1a); // schema_url = 3
    w.string(group.resource.schemaUrl);
  }
}

function writeResource(w: ProtoWriter, resource: Resource): void {
  if (resource.attributes) writeKeyValues(w, resource.attributes, 0x0a); // attributes = 1
  w.byte(0x10); // dropped_attributes_count = 2, always 0: resources do not count drops
  w.byte(0);
}

function writeScopeSpans(w: ProtoWriter, group: ScopeGroup): void {
  w.byte(0x0a); // scope = 1
  const at = w.begin(PART_LEN);
  writeScope(w, group.scope);
  w.end(at, PART_LEN);
  const spans = group.spans;
  for (let i = 0; i < spans.length; i++) {
    w.byte(0x12); // spans = 2
    const span = w.begin(SPAN_LEN);
    writeSpan(w, spans[i]!);
    w.end(span, SPAN_LEN);
  }
  if (group.scope.schemaUrl) {
    w.byte(0x1a); // schema_url = 3
    w.string(group.scope.schemaUrl);
  }
}

/** Scope attributes are not in the core type, but the SDK writes them when a scope carries some. */
interface ScopeWithAttributes extends InstrumentationScope {
  attributes?: Record<string, unknown>;
  droppedAttributesCount?: number;
}

function writeScope(w: ProtoWriter, scope: ScopeWithAttributes): void {
  w.byte(0x0a); // name = 1
  w.string(scope.name);
  if (scope.version) {
    w.byte(0x12); // version = 2
    w.string(scope.version);
  }
  if (scope.attributes) writeKeyValues(w, scope.attributes, 0x1a); // attributes = 3
  if (scope.droppedAttributesCount) {
    w.byte(0x20); // dropped_attributes_count = 4
    w.varint(scope.droppedAttributesCount);
  }
}

/** Fields 1-3, the same numbers in Span and Span.Link: trace_id, span_id, trace_state. */
function writeContextIds(w: ProtoWriter, context: SpanContext): void {
  w.byte(0x0a); // trace_id = 1
  w.hexBytes(context.traceId);
  w.byte(0x12); // span_id = 2
  w.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    w.byte(0x1a); // trace_state = 3
    w.string(traceState);
  }
}

function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  writeContextIds(w, context);
  if (parent?.spanId) {
    w.byte(0x22); // parent_span_id = 4
    w.hexBytes(parent.spanId);
  }
  w.byte(0x2a); // name = 5
  w.string(span.name);
  // The API has no "unspecified" kind, so OTLP's enum is the API's plus one; 0 is the default, left out.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.byte(0x30); // kind = 6
    w.varint(kind);
  }
  w.byte(0x39); // start_time_unix_nano = 7, fixed64
  w.hrTime(span.startTime);
  w.byte(0x41); // end_time_unix_nano = 8, fixed64
  w.hrTime(span.endTime);
  if (span.attributes) writeKeyValues(w, span.attributes, 0x4a); // attributes = 9
  w.byte(0x50); // dropped_attributes_count = 10
  w.varint(span.droppedAttributesCount);
  writeEvents(w, span.events);
  w.byte(0x60); // dropped_events_count = 12
  w.varint(span.droppedEventsCount);
  writeLinks(w, span.links);
  w.byte(0x70); // dropped_links_count = 14
  w.varint(span.droppedLinksCount);
  w.byte(0x7a); // status = 15
  const status = w.begin(PART_LEN);
  if (span.status.message) {
    w.byte(0x12); // message = 2
    w.string(span.status.message);
  }
  w.byte(0x18); // code = 3
  w.varint(span.status.code);
  w.end(status, PART_LEN);
  w.byte(0x85); // flags = 16, fixed32: a two-byte tag
  w.byte(0x01);
  w.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

function writeEvents(w: ProtoWriter, events: readonly TimedEvent[] | undefined): void {
  const n = events ? events.length : 0;
  for (let i = 0; i < n; i++) {
    const event = events![i]!;
    w.byte(0x5a); // events = 11
    const at = w.begin(PART_LEN);
    w.byte(0x09); // time_unix_nano = 1, fixed64
    w.hrTime(event.time);
    w.byte(0x12); // name = 2
    w.string(event.name);
    if (event.attributes) writeKeyValues(w, event.attributes, 0x1a); // attributes = 3
    w.byte(0x20); // dropped_attributes_count = 4
    w.varint(event.droppedAttributesCount || 0);
    w.end(at, PART_LEN);
  }
}

function writeLinks(w: ProtoWriter, links: readonly Link[] | undefined): void {
  const n = links ? links.length : 0;
  for (let i = 0; i < n; i++) {
    const link = links![i]!;
    const context = link.context;
    w.byte(0x6a); // links = 13
    const at = w.begin(PART_LEN);
    writeContextIds(w, context);
    if (link.attributes) writeKeyValues(w, link.attributes, 0x22); // attributes = 4
    w.byte(0x28); // dropped_attributes_count = 5
    w.varint(link.droppedAttributesCount || 0);
    w.byte(0x35); // flags = 6, fixed32
    w.fixed32(spanFlags(context.traceFlags, context.isRemote));
    w.end(at, PART_LEN);
  }
}
