import { Metadata, credentials } from '@grpc/grpc-js';
import type { OtlpExporterConfig } from '../../config/types';
import { otlpGrpcUrl } from './otlpEndpoint';

/**
 * Options shared by the OTLP/gRPC span and metric exporters. Credentials are
 * always passed explicitly so that `insecure` in kspan's config decides, not
 * the URL scheme or the agent's own OTEL_EXPORTER_OTLP_INSECURE.
 */
export function grpcExporterOptions(config: OtlpExporterConfig): {
  url: string;
  credentials: ReturnType<typeof credentials.createInsecure>;
  metadata: Metadata;
  timeoutMillis: number;
} {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(config.headers)) metadata.set(key.toLowerCase(), value);
  return {
    url: otlpGrpcUrl(config.endpoint, config.insecure),
    credentials: config.insecure ? credentials.createInsecure() : credentials.createSsl(),
    metadata,
    timeoutMillis: config.timeoutMs,
  };
}
