import type * as OtlpGrpcMetrics from '@opentelemetry/exporter-metrics-otlp-grpc';
import type * as OtlpHttpMetrics from '@opentelemetry/exporter-metrics-otlp-http';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExporterConfig } from '../../config/types';
import { ConsoleMetricExporter } from './ConsoleMetricExporter';
import { FileMetricExporter } from './FileMetricExporter';
import type * as GrpcOptions from './grpcOptions';
import { otlpHttpUrl } from './otlpEndpoint';

/**
 * The push exporter for one configured exporter; undefined for `prometheus`,
 * which is a pull reader, not a push exporter.
 */
export function createMetricExporter(config: ExporterConfig): PushMetricExporter | undefined {
  switch (config.type) {
    // The OTLP exporters (gRPC above all) are loaded only when configured: they and @grpc/grpc-js are ~13 MiB of RSS.
    case 'otlp': {
      const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-grpc') as typeof OtlpGrpcMetrics;
      const { grpcExporterOptions } = require('./grpcOptions') as typeof GrpcOptions;
      return new OTLPMetricExporter(grpcExporterOptions(config));
    }
    case 'otlphttp': {
      const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof OtlpHttpMetrics;
      return new OTLPMetricExporter({
        url: config.signalEndpoint ?? otlpHttpUrl(config.endpoint, 'metrics', config.insecure),
        headers: { ...config.headers },
        timeoutMillis: config.timeoutMs,
      });
    }
    case 'file':
      return new FileMetricExporter(config.path);
    case 'console':
      return new ConsoleMetricExporter();
    case 'prometheus':
      return undefined;
  }
}
