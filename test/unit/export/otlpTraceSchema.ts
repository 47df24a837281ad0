/**
 * The OTLP trace export service as a protobuf schema in JSON form (from the
 * opentelemetry-proto .proto files: collector/trace/v1, trace/v1, common/v1,
 * resource/v1), loaded with @grpc/proto-loader: a schema-aware decoder
 * independent of both encoders under test, and a service definition for a
 * real gRPC receiver. Not a test file itself.
 */
import { fromJSON } from '@grpc/proto-loader';
import type { Options, ServiceDefinition } from '@grpc/proto-loader';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;

const f = (id: number, type: string): { type: string; id: number } => ({ type, id });
const list = (id: number, type: string): { type: string; id: number; rule: 'repeated' } => ({ type, id, rule: 'repeated' });
const message = (fields: Fields, extra: object = {}): object => ({ fields, ...extra });

const COMMON = 'opentelemetry.proto.common.v1';
const RESOURCE = 'opentelemetry.proto.resource.v1';
const TRACE = 'opentelemetry.proto.trace.v1';

const SCHEMA = {
  nested: {
    opentelemetry: { nested: { proto: { nested: {
      common: { nested: { v1: { nested: {
        AnyValue: message(
          {
            stringValue: f(1, 'string'), boolValue: f(2, 'bool'), intValue: f(3, 'int64'), doubleValue: f(4, 'double'),
            arrayValue: f(5, `${COMMON}.ArrayValue`), kvlistValue: f(6, `${COMMON}.KeyValueList`), bytesValue: f(7, 'bytes'),
          },
          { oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } } },
        ),
        ArrayValue: message({ values: list(1, `${COMMON}.AnyValue`) }),
        KeyValueList: message({ values: list(1, `${COMMON}.KeyValue`) }),
        KeyValue: message({ key: f(1, 'string'), value: f(2, `${COMMON}.AnyValue`) }),
        InstrumentationScope: message({
          name: f(1, 'string'), version: f(2, 'string'), attributes: list(3, `${COMMON}.KeyValue`), droppedAttributesCount: f(4, 'uint32'),
        }),
      } } } },
      resource: { nested: { v1: { nested: {
        Resource: message({ attributes: list(1, `${COMMON}.KeyValue`), droppedAttributesCount: f(2, 'uint32') }),
      } } } },
      trace: { nested: { v1: { nested: {
        ResourceSpans: message({ resource: f(1, `${RESOURCE}.Resource`), scopeSpans: list(2, `${TRACE}.ScopeSpans`), schemaUrl: f(3, 'string') }),
        ScopeSpans: message({ scope: f(1, `${COMMON}.InstrumentationScope`), spans: list(2, `${TRACE}.Span`), schemaUrl: f(3, 'string') }),
        Span: message(
          {
            traceId: f(1, 'bytes'), spanId: f(2, 'bytes'), traceState: f(3, 'string'), parentSpanId: f(4, 'bytes'), flags: f(16, 'fixed32'),
            name: f(5, 'string'), kind: f(6, `${TRACE}.Span.SpanKind`), startTimeUnixNano: f(7, 'fixed64'), endTimeUnixNano: f(8, 'fixed64'),
            attributes: list(9, `${COMMON}.KeyValue`), droppedAttributesCount: f(10, 'uint32'), events: list(11, `${TRACE}.Span.Event`),
            droppedEventsCount: f(12, 'uint32'), links: list(13, `${TRACE}.Span.Link`), droppedLinksCount: f(14, 'uint32'), status: f(15, `${TRACE}.Status`),
          },
          {
            nested: {
              SpanKind: { values: { SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 } },
              Event: message({ timeUnixNano: f(1, 'fixed64'), name: f(2, 'string'), attributes: list(3, `${COMMON}.KeyValue`), droppedAttributesCount: f(4, 'uint32') }),
              Link: message({
                traceId: f(1, 'bytes'), spanId: f(2, 'bytes'), traceState: f(3, 'string'), attributes: list(4, `${COMMON}.KeyValue`),
                droppedAttributesCount: f(5, 'uint32'), flags: f(6, 'fixed32'),
              }),
            },
          },
        ),
        Status: message(
          { message: f(2, 'string'), code: f(3, `${TRACE}.Status.StatusCode`) },
          { nested: { StatusCode: { values: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 } } } },
        ),
      } } } },
      collector: { nested: { trace: { nested: { v1: { nested: {
        ExportTraceServiceRequest: message({ resourceSpans: list(1, `${TRACE}.ResourceSpans`) }),
        ExportTraceServiceResponse: message({ partialSuccess: f(1, 'opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess') }),
        ExportTracePartialSuccess: message({ rejectedSpans: f(1, 'int64'), errorMessage: f(2, 'string') }),
        TraceService: {
          methods: { Export: { requestType: 'ExportTraceServiceRequest', responseType: 'ExportTraceServiceResponse' } },
        },
      } } } } } },
    } } } },
  },
};

/**
 * Decoded as plainly as proto-loader allows: 64-bit integers as decimal
 * strings (exact), enums by name, bytes as base64, fields absent from the
 * wire absent from the object (so a default written and one left out differ).
 */
export const DECODE_OPTIONS: Options = { longs: String, enums: String, bytes: String, defaults: false, oneofs: false };

export function traceServiceDefinition(options: Options = DECODE_OPTIONS): ServiceDefinition {
  // The nested literals are checked by protobufjs at load time; its TypeScript union is too narrow for helpers.
  const pkg = fromJSON(SCHEMA as unknown as Parameters<typeof fromJSON>[0], options);
  return pkg['opentelemetry.proto.collector.trace.v1.TraceService'] as ServiceDefinition;
}

const SERVICE = traceServiceDefinition();

/** An ExportTraceServiceRequest's bytes as a plain object. */
export function decodeTraceRequestObject(body: Uint8Array): unknown {
  return SERVICE['Export']!.requestDeserialize(Buffer.from(body));
}

/** An ExportTraceServiceResponse as bytes, for a receiver that reports partial success. */
export function encodeTraceResponse(response: object): Buffer {
  return SERVICE['Export']!.responseSerialize(response);
}
