import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { IExportTraceServiceResponse, ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeTraceProto } from './encodeTraceProto';

/**
 * The serializer the SDK's OTLP/gRPC export delegate takes: our request
 * encoder, and the SDK's own response parser (responses are small and rare;
 * its reading of partial success is what the exporter expects).
 */
export const protoSpanSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: encodeTraceProto,
  deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
};
