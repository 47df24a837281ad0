import { isValidSpanId, isValidTraceId } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExporterConfig, PipelineConfig } from '../config/types';
import type { KspanSpan } from '../correlate/span';
import type { ExportResultListener } from './CountingSpanExporter';
import { CountingSpanExporter } from './CountingSpanExporter';
import { ExportFailureTracker } from './ExportFailureTracker';
import { createSpanExporter } from './exporters/createSpanExporter';
import type { ExportLogger } from './Logger';
import { silentLogger } from './Logger';
import { ResourceCache, TRACER_NAME } from './ResourceCache';
import { toReadableSpan } from './ReadableSpanBuilder';
import type { AgentIdentity } from './Resources';
import { SharedSpanProcessor } from './SharedSpanProcessor';
import { SpanBatchProcessor } from './SpanBatchProcessor';

export interface TraceExportPipelineOptions extends AgentIdentity {
  /** Per-process resources kept (LRU). Default 1024. */
  maxProviders?: number;
  /** Log export failures once per this many. Default 100. */
  failureLogEvery?: number;
  /** Called after every export call of every exporter (e.g. to count kspan.spans.exported). */
  onExportResult?: ExportResultListener;
  /** Builds the SDK exporter for a config entry; tests substitute their own. */
  exporterFactory?: (config: ExporterConfig) => SpanExporter | undefined;
}


/** Grace beyond an OTLP exporter's own timeout (which covers its retries). */
const EXPORT_TIMEOUT_GRACE_MS = 1000;
const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;
/**
 * Export calls in flight per exporter: enough to keep up with bursts of
 * 10^4 spans/s while each call waits for a network or event-loop round trip,
 * few enough not to flood a backend (the SDK's OTLP exporters allow 30).
 */
const MAX_CONCURRENT_EXPORTS = 4;
/** A backlog goes out in calls of up to this many batches (2048 spans by default: ~1.5 MB of OTLP protobuf, under the usual 4 MiB receive limit). */
const BACKLOG_BATCHES_PER_CALL = 4;

/**
 * Turns the correlator's finished spans into OpenTelemetry SDK spans and
 * exports them.
 *
 * Each configured exporter gets its own SpanBatchProcessor, so a slow or
 * unreachable OTLP endpoint fills its own queue and never delays the file.
 * Each traced process gets its own resource. Spans are handed over as
 * ReadableSpans built directly (ReadableSpanBuilder), not through a Tracer.
 */
export class TraceExportPipeline {
  private readonly _failures: ExportFailureTracker;
  private readonly _processors: SpanBatchProcessor[] = [];
  private readonly _exporters: SpanExporter[] = [];
  private readonly _resources: ResourceCache;
  private readonly _shared: SharedSpanProcessor;
  private readonly _scope: { name: string; version?: string };
  private _shutdown: Promise<void> | undefined;
  private _rejected = 0;
  private readonly _logEvery: number;

  constructor(
    config: PipelineConfig,
    private readonly _logger: ExportLogger = silentLogger,
    options: TraceExportPipelineOptions = {},
  ) {
    this._logEvery = options.failureLogEvery ?? 100;
    this._failures = new ExportFailureTracker(_logger, this._logEvery);
    const factory = options.exporterFactory ?? createSpanExporter;
    for (const exporterConfig of config.exporters) {
      let exporter: SpanExporter | undefined;
      try {
        exporter = factory(exporterConfig);
      } catch (error) {
        _logger('error', `traces: exporter ${exporterConfig.name} could not be created, skipping it: ${String(error)}`);
        continue;
      }
      if (!exporter) {
        _logger('warn', `traces: exporter ${exporterConfig.name} (${exporterConfig.type}) cannot export spans, ignored`);
        continue;
      }
      const counted = new CountingSpanExporter(exporterConfig.name, exporter, this._failures, options.onExportResult);
      const exportTimeoutMillis =
        exporterConfig.type === 'otlp' || exporterConfig.type === 'otlphttp'
          ? exporterConfig.timeoutMs + EXPORT_TIMEOUT_GRACE_MS
          : DEFAULT_EXPORT_TIMEOUT_MS;
      this._exporters.push(counted);
      this._processors.push(
        new SpanBatchProcessor(counted, {
          scheduledDelayMillis: config.batch.timeoutMs,
          maxExportBatchSize: Math.min(config.batch.sendBatchSize, config.batch.maxQueueSize),
          maxQueueSize: config.batch.maxQueueSize,
          exportTimeoutMillis,
          maxConcurrentExports: MAX_CONCURRENT_EXPORTS,
          maxBacklogBatchSize: BACKLOG_BATCHES_PER_CALL * Math.min(config.batch.sendBatchSize, config.batch.maxQueueSize),
        }),
      );
    }
    this._scope = options.agentVersion ? { name: TRACER_NAME, version: options.agentVersion } : { name: TRACER_NAME };
    this._shared = new SharedSpanProcessor(this._processors);
    this._resources = new ResourceCache({ agentVersion: options.agentVersion, hostName: options.hostName }, options.maxProviders);
  }

  /** Failed export calls (batches) per exporter name, e.g. {"otlp/jaeger": 3}. */
  get exportFailures(): Record<string, number> {
    return this._failures.counts();
  }

  /** Spans dropped because an exporter's queue was full (it could not keep up), total over exporters. */
  get droppedSpans(): number {
    return this._shared.dropped.reduce((a, b) => a + b, 0);
  }

  /** Spans refused because their ids were invalid or the pipeline was shut down. */
  get rejectedSpans(): number {
    return this._rejected;
  }

  /** Per-process resources currently cached (the test-facing name predates the resource cache). */
  get providerCount(): number {
    return this._resources.size;
  }

  /**
   * Queue one finished span for export. Never throws; returns false when the
   * span was refused (invalid ids, or after shutdown).
   */
  export(span: KspanSpan): boolean {
    if (this._shutdown) {
      this._rejected++;
      return false;
    }
    if (!isValidTraceId(span.traceId) || !isValidSpanId(span.spanId)) {
      this._reject(`invalid ids trace=${span.traceId} span=${span.spanId}`);
      return false;
    }
    try {
      this._shared.onEnd(toReadableSpan(span, this._resources.resourceFor(span.process), this._scope));
      return true;
    } catch (error) {
      this._reject(`span ${span.name} could not be exported: ${String(error)}`);
      return false;
    }
  }

  /** Export everything queued so far. Never rejects; failures are counted. */
  async forceFlush(): Promise<void> {
    const results = await Promise.allSettled(this._processors.map(p => p.forceFlush()));
    for (const r of results) {
      if (r.status === 'rejected') this._logger('debug', `traces: flush incomplete: ${String(r.reason)}`);
    }
  }

  /** Flush, then shut down processors and exporters. Safe to call more than once. */
  shutdown(): Promise<void> {
    this._shutdown ??= this._doShutdown();
    return this._shutdown;
  }

  private async _doShutdown(): Promise<void> {
    await this.forceFlush();
    const results = await Promise.allSettled(this._processors.map(p => p.shutdown()));
    // A processor whose final flush failed never reaches its exporter's
    // shutdown; do it here so no gRPC channel or socket keeps the agent alive.
    await Promise.allSettled(
      results.map((r, i) => (r.status === 'rejected' ? this._exporters[i]!.shutdown() : undefined)),
    );
  }

  private _reject(reason: string): void {
    this._rejected++;
    // Throttled like export failures: a correlator bug would repeat per span.
    if (this._rejected === 1 || this._rejected % this._logEvery === 0) {
      this._logger('warn', `traces: ${this._rejected} span(s) refused so far; latest: ${reason}`);
    }
  }
}
