import { OTLPMetricExporter as OTLPGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OTLPHttpMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExporterConfig } from '../../config/types';
import { ConsoleMetricExporter } from './ConsoleMetricExporter';
import { FileMetricExporter } from './FileMetricExporter';
import { grpcExporterOptions } from './grpcOptions';
import { otlpHttpUrl } from './otlpEndpoint';

/**
 * The push exporter for one configured exporter; undefined for `prometheus`,
 * which is a pull reader, not a push exporter.
 */
export function createMetricExporter(config: ExporterConfig): PushMetricExporter | undefined {
  switch (config.type) {
    case 'otlp':
      return new OTLPGrpcMetricExporter(grpcExporterOptions(config));
    case 'otlphttp':
      return new OTLPHttpMetricExporter({
        url: config.signalEndpoint ?? otlpHttpUrl(config.endpoint, 'metrics', config.insecure),
        headers: { ...config.headers },
        timeoutMillis: config.timeoutMs,
      });
    case 'file':
      return new FileMetricExporter(config.path);
    case 'console':
      return new ConsoleMetricExporter();
    case 'prometheus':
      return undefined;
  }
}
