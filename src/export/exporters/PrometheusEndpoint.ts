import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { PrometheusExporterConfig } from '../../config/types';
import type { ExportLogger } from '../Logger';
import { withUnitSuffixes } from './prometheusUnits';

const METRICS_PATH = '/metrics';

/**
 * The Prometheus pull endpoint: PrometheusExporter is the MetricReader
 * (cumulative, default aggregations) and serializes; we own the HTTP server so
 * that (1) metric names get their unit suffix (see prometheusUnits.ts), and
 * (2) a port already in use is logged clearly and kspan runs on without this
 * endpoint instead of failing.
 */
export class PrometheusEndpoint {
  readonly reader: PrometheusExporter;
  /** The scrape URL once listening, undefined if the server could not start. Never rejects. */
  readonly listening: Promise<string | undefined>;

  private readonly _serializer = new PrometheusSerializer();
  private readonly _server: Server;

  constructor(
    config: PrometheusExporterConfig,
    private readonly _logger: ExportLogger,
    metricProducers: MetricProducer[] = [],
  ) {
    this.reader = new PrometheusExporter({ preventServerStart: true, metricProducers });
    this._server = createServer((req, res) => this._handle(req, res));
    this.listening = new Promise(resolve => {
      const onError = (error: NodeJS.ErrnoException): void => {
        const why = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message;
        _logger('error', `metrics: prometheus exporter ${config.name} cannot listen on ${describe(config.host, config.port)} (${why}); continuing without it`);
        resolve(undefined);
      };
      this._server.once('error', onError);
      // host "" = every interface, as in the Collector's ":9464".
      this._server.listen({ port: config.port, host: config.host || undefined }, () => {
        this._server.off('error', onError);
        const { port } = this._server.address() as AddressInfo;
        const url = `http://${describe(config.host, port)}${METRICS_PATH}`;
        _logger('info', `metrics: prometheus exporter ${config.name} serving ${url}`);
        resolve(url);
      });
    });
    // Scrapes must not keep a stopping agent alive.
    this._server.unref();
  }

  /** Stop serving and shut the reader down. */
  async shutdown(): Promise<void> {
    await this.listening;
    await new Promise<void>(resolve => {
      if (!this._server.listening) return resolve();
      this._server.closeAllConnections();
      this._server.close(() => resolve());
    });
  }

  private _handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?', 1)[0];
    if (req.method !== 'GET' || path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    this.reader.collect().then(
      ({ resourceMetrics, errors }) => {
        if (errors.length > 0) this._logger('debug', `metrics: collection errors: ${errors.map(String).join('; ')}`);
        const body = this._serializer.serialize(withUnitSuffixes(resourceMetrics));
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`# failed to collect metrics: ${String(error)}`);
      },
    );
  }
}

function describe(host: string, port: number): string {
  const shown = host === '' ? '0.0.0.0' : host.includes(':') ? `[${host}]` : host;
  return `${shown}:${port}`;
}
