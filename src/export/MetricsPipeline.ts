import type { Meter } from '@opentelemetry/api';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { IMetricReader, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExporterConfig, PipelineConfig } from '../config/types';
import { CountingMetricExporter } from './CountingMetricExporter';
import { ExportFailureTracker } from './ExportFailureTracker';
import { createMetricExporter } from './exporters/createMetricExporter';
import { PrometheusEndpoint } from './exporters/PrometheusEndpoint';
import type { ExportLogger } from './Logger';
import { silentLogger } from './Logger';
import type { AgentIdentity } from './Resources';
import { agentResource } from './Resources';
import { KernelHistogramProducer } from './KernelHistogramProducer';
import { DurationHistogramProducer } from './DurationHistogramProducer';
import { HTTP_DURATION_BUCKETS } from './KspanMetrics';

export type MetricsPipelineConfig = PipelineConfig & { intervalMs: number };

export interface MetricsPipelineOptions extends AgentIdentity {
  /** Log export failures once per this many. Default 100. */
  failureLogEvery?: number;
  /** Builds the push exporter for a config entry; tests substitute their own. */
  exporterFactory?: (config: ExporterConfig) => PushMetricExporter | undefined;
}

/** Instrumentation scope of kspan's metrics. */
export const METER_NAME = 'kspan';

/**
 * kspan's MeterProvider: the agent is the resource (service.name "kspan");
 * per-service request metrics carry service.name as a data point attribute.
 * `prometheus` is a pull reader; every other exporter is pushed by a
 * PeriodicExportingMetricReader every `intervalMs`.
 */
export class MetricsPipeline {
  readonly meterProvider: MeterProvider;
  readonly meter: Meter;
  /** Resolves when every Prometheus endpoint listens or has failed to. Never rejects. */
  readonly ready: Promise<void>;

  private readonly _failures: ExportFailureTracker;
  private readonly _exporters: CountingMetricExporter[] = [];
  private readonly _prometheus: PrometheusEndpoint[] = [];
  private readonly _prometheusUrls: string[] = [];
  private _shutdown: Promise<void> | undefined;

  /** kernel.runqueue.latency from the sched family's in-kernel histograms (set its source when the family runs). */
  readonly runqueueLatency = new KernelHistogramProducer('kernel.runqueue.latency',
    'Time threads waited runnable on a CPU runqueue before running (all waits, per service)');

  /** http.*.request.duration and rpc.*.duration, recorded per span by KspanMetrics. */
  readonly requestDurations: DurationHistogramProducer;

  constructor(
    config: MetricsPipelineConfig,
    private readonly _logger: ExportLogger = silentLogger,
    options: MetricsPipelineOptions = {},
  ) {
    this._failures = new ExportFailureTracker(_logger, options.failureLogEvery);
    this.requestDurations = new DurationHistogramProducer(HTTP_DURATION_BUCKETS, { name: METER_NAME, version: options.agentVersion });
    const producers = [this.runqueueLatency, this.requestDurations];
    const factory = options.exporterFactory ?? createMetricExporter;
    const readers: IMetricReader[] = [];
    const listening: Promise<unknown>[] = [];
    for (const exporterConfig of config.exporters) {
      try {
        if (exporterConfig.type === 'prometheus') {
          const prometheus = new PrometheusEndpoint(exporterConfig, _logger, producers);
          this._prometheus.push(prometheus);
          readers.push(prometheus.reader);
          listening.push(prometheus.listening.then(url => url && this._prometheusUrls.push(url)));
          continue;
        }
        const exporter = factory(exporterConfig);
        if (!exporter) continue;
        const counted = new CountingMetricExporter(exporterConfig.name, exporter, this._failures);
        this._exporters.push(counted);
        const timeoutMs = exporterConfig.type === 'otlp' || exporterConfig.type === 'otlphttp' ? exporterConfig.timeoutMs : config.intervalMs;
        readers.push(
          new PeriodicExportingMetricReader({
            exporter: counted,
            metricProducers: producers,
            exportIntervalMillis: config.intervalMs,
            // The SDK refuses a timeout longer than the interval.
            exportTimeoutMillis: Math.min(timeoutMs, config.intervalMs),
          }),
        );
      } catch (error) {
        _logger('error', `metrics: exporter ${exporterConfig.name} could not be created, skipping it: ${String(error)}`);
      }
    }
    this.meterProvider = new MeterProvider({ resource: agentResource(options), readers });
    this.meter = this.meterProvider.getMeter(METER_NAME, options.agentVersion);
    this.ready = Promise.all(listening).then(() => undefined);
  }

  /** Scrape URLs of the Prometheus endpoints that are listening. */
  get prometheusUrls(): readonly string[] {
    return this._prometheusUrls;
  }

  /** Failed export calls per exporter name. */
  get exportFailures(): Record<string, number> {
    return this._failures.counts();
  }

  /** Collect and push now. Never rejects; failures are counted. */
  async forceFlush(): Promise<void> {
    try {
      await this.meterProvider.forceFlush();
    } catch (error) {
      this._logger('debug', `metrics: flush incomplete: ${String(error)}`);
    }
  }

  /** Final push, then stop readers, exporters and Prometheus endpoints. Safe to call twice. */
  shutdown(): Promise<void> {
    this._shutdown ??= this._doShutdown();
    return this._shutdown;
  }

  private async _doShutdown(): Promise<void> {
    await this.ready;
    try {
      await this.meterProvider.shutdown();
    } catch (error) {
      this._logger('debug', `metrics: shutdown incomplete: ${String(error)}`);
    }
    // A reader whose final export failed skips its exporter's shutdown,
    // which would leave a gRPC channel open; shutdown here is idempotent.
    await Promise.allSettled([...this._exporters.map(e => e.shutdown()), ...this._prometheus.map(p => p.shutdown())]);
  }
}
