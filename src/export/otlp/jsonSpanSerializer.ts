import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { IExportTraceServiceResponse, ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeTraceJson } from './encodeTraceJson';

/**
 * The serializer the SDK's OTLP/HTTP export delegate takes: our request
 * encoder, and the SDK's own response parser (responses are small and rare;
 * its handling of empty and malformed bodies is what the exporter expects).
 */
export const jsonSpanSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: encodeTraceJson,
  deserializeResponse: (data: Uint8Array) => JsonTraceSerializer.deserializeResponse(data),
};
