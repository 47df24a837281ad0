import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { jsonSpanSerializer } from '../otlp';

/** The exporter's self-observability component type, as the SDK's OTLP/HTTP span exporter reports it. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/**
 * OTLP/HTTP JSON span exporter: the SDK's OTLPTraceExporter (same option
 * handling and OTEL_EXPORTER_OTLP_TRACES_* environment, same transport,
 * retries, timeout, compression, concurrency limit) built from the same
 * public pieces, with kspan's JSON encoder in place of the SDK serializer.
 */
export class OtlpHttpSpanExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/json' }),
        jsonSpanSerializer,
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
