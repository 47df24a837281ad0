import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyOtlpGrpcOptions, createOtlpGrpcExportDelegate } from '@opentelemetry/otlp-grpc-exporter-base';
import type { OTLPGRPCExporterConfigNode } from '@opentelemetry/otlp-grpc-exporter-base';
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { protoSpanSerializer } from '../otlp';

/** The exporter's self-observability component type, as the SDK's OTLP/gRPC span exporter reports it. */
const COMPONENT_TYPE = 'otlp_grpc_span_exporter';
const SERVICE_NAME = 'TraceExportService';
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/**
 * OTLP/gRPC span exporter: the SDK's OTLPTraceExporter (same option handling
 * and OTEL_EXPORTER_OTLP_TRACES_* environment, credentials, metadata,
 * compression, timeout, retries, partial-success handling) built from the
 * same public pieces, with kspan's protobuf encoder in place of the SDK's.
 */
export class OtlpGrpcSpanExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: OTLPGRPCExporterConfigNode = {}) {
    super(
      createOtlpGrpcExportDelegate(
        convertLegacyOtlpGrpcOptions(config, 'TRACES'),
        protoSpanSerializer,
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        undefined,
        SERVICE_NAME,
        EXPORT_PATH,
      ),
    );
  }
}
