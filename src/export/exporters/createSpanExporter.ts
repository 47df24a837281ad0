import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExporterConfig } from '../../config/types';
import { ConsoleSpanExporter } from './ConsoleSpanExporter';
import { FileSpanExporter } from './FileSpanExporter';
import { grpcExporterOptions } from './grpcOptions';
import { OtlpGrpcSpanExporter } from './OtlpGrpcSpanExporter';
import { OtlpHttpSpanExporter } from './OtlpHttpSpanExporter';
import { otlpHttpUrl } from './otlpEndpoint';

/** The span exporter for one configured exporter; undefined for types that carry no spans. */
export function createSpanExporter(config: ExporterConfig): SpanExporter | undefined {
  switch (config.type) {
    case 'otlp':
      return new OtlpGrpcSpanExporter(grpcExporterOptions(config));
    case 'otlphttp':
      return new OtlpHttpSpanExporter({
        // The config layer resolves the signal URL; the fallback keeps hand-built configs working.
        url: config.signalEndpoint ?? otlpHttpUrl(config.endpoint, 'traces', config.insecure),
        headers: { ...config.headers },
        timeoutMillis: config.timeoutMs,
      });
    case 'file':
      return new FileSpanExporter(config.path);
    case 'console':
      return new ConsoleSpanExporter();
    case 'prometheus':
      return undefined;
  }
}
