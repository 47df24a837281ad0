import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { PrometheusExporterConfig } from '../../config/types';
import type { ExportLogger } from '../Logger';

export interface PrometheusReader {
  reader: PrometheusExporter;
  /** The scrape URL once listening, undefined if the server could not start. Never rejects. */
  listening: Promise<string | undefined>;
}

/**
 * The Prometheus pull endpoint. A port already in use must not stop kspan:
 * the error is logged and the agent runs on without this endpoint (the other
 * exporters are unaffected).
 */
export function createPrometheusReader(config: PrometheusExporterConfig, logger: ExportLogger): PrometheusReader {
  const url = scrapeUrl(config.host, config.port);
  let settle!: (url: string | undefined) => void;
  const listening = new Promise<string | undefined>(resolve => (settle = resolve));
  const reader = new PrometheusExporter({ host: config.host || undefined, port: config.port }, error => {
    if (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'the port is already in use' : error.message;
      logger('error', `metrics: prometheus exporter ${config.name} cannot listen on ${url} (${why}); continuing without it`);
      settle(undefined);
    } else {
      logger('info', `metrics: prometheus exporter ${config.name} serving ${url}`);
      settle(url);
    }
  });
  return { reader, listening };
}

function scrapeUrl(host: string, port: number): string {
  const shown = host === '' ? '0.0.0.0' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/metrics`;
}
