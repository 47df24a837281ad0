import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExporterConfig } from '../../config/types';
import { ConsoleSpanExporter } from './ConsoleSpanExporter';
import { FileSpanExporter } from './FileSpanExporter';
import type * as GrpcOptions from './grpcOptions';
import type * as OtlpGrpc from './OtlpGrpcSpanExporter';
import type * as OtlpHttp from './OtlpHttpSpanExporter';
import { otlpHttpUrl } from './otlpEndpoint';

/** The span exporter for one configured exporter; undefined for types that carry no spans. */
export function createSpanExporter(config: ExporterConfig): SpanExporter | undefined {
  switch (config.type) {
    // The OTLP exporters (gRPC above all) are loaded only when configured: they and @grpc/grpc-js are ~13 MiB of RSS.
    case 'otlp': {
      const { OtlpGrpcSpanExporter } = require('./OtlpGrpcSpanExporter') as typeof OtlpGrpc;
      const { grpcExporterOptions } = require('./grpcOptions') as typeof GrpcOptions;
      return new OtlpGrpcSpanExporter(grpcExporterOptions(config));
    }
    case 'otlphttp': {
      const { OtlpHttpSpanExporter } = require('./OtlpHttpSpanExporter') as typeof OtlpHttp;
      return new OtlpHttpSpanExporter({
        // The config layer resolves the signal URL; the fallback keeps hand-built configs working.
        url: config.signalEndpoint ?? otlpHttpUrl(config.endpoint, 'traces', config.insecure),
        headers: { ...config.headers },
        timeoutMillis: config.timeoutMs,
      });
    }
    case 'file':
      return new FileSpanExporter(config.path);
    case 'console':
      return new ConsoleSpanExporter();
    case 'prometheus':
      return undefined;
  }
}
