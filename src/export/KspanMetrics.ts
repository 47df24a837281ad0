import { ValueType, createNoopMeter } from '@opentelemetry/api';
import type { Attributes, Counter, Meter, ObservableCounter } from '@opentelemetry/api';
import type { KspanSpan } from '../correlate/span';
import type { DurationHistogramProducer } from './DurationHistogramProducer';

/** One probe family's event totals, as the agent reads them from its ring buffers and BPF maps. */
export interface EventCounterSample {
  /** Probe family, e.g. "sockets". */
  family: string;
  /** Why events were lost, e.g. "ringbuf_full"; only used with `lost`. */
  reason?: string;
  /** Events received since start (monotonic total). */
  received?: number;
  /** Events lost since start for `reason` (monotonic total). */
  lost?: number;
}

export type EventCountersSource = () => Iterable<EventCounterSample>;

/** OTel HTTP semantic conventions' advised buckets for request durations, in seconds. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Known methods per semconv; anything else is "_OTHER" so that hostile or
 * garbled requests cannot create unbounded metric series.
 */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/**
 * rpc.service/rpc.method come from the request's :path, which any client
 * chooses: past this many distinct pairs, new ones are recorded as "_OTHER".
 */
export const MAX_RPC_METHODS = 1000;

/**
 * The instruments of kspan's first slice. Built on a no-op meter when no
 * metrics pipeline is configured, so callers never need to check.
 */
export class KspanMetrics {
  private readonly _serverDuration: number;
  private readonly _clientDuration: number;
  private readonly _rpcServerDuration: number;
  private readonly _rpcClientDuration: number;
  private readonly _rpcMethods = new Set<string>();
  private readonly _spansExported: Counter;
  private readonly _parseErrors: Counter;
  private readonly _eventsReceived: ObservableCounter;
  private readonly _eventsLost: ObservableCounter;
  private _eventSource: EventCountersSource | undefined;

  /**
   * `durations` aggregates the per-span request-duration histograms (see
   * DurationHistogramProducer); without it (no metrics pipeline) they are not recorded.
   */
  constructor(meter: Meter = createNoopMeter(), private readonly _durations?: DurationHistogramProducer) {
    const define = (name: string, description: string) => _durations?.define(name, description) ?? -1;
    this._serverDuration = define('http.server.request.duration', 'Duration of HTTP server requests, timed by the kernel.');
    this._clientDuration = define('http.client.request.duration', 'Duration of HTTP client requests, timed by the kernel.');
    this._rpcServerDuration = define('rpc.server.duration', 'Duration of gRPC calls served, timed by the kernel.');
    this._rpcClientDuration = define('rpc.client.duration', 'Duration of gRPC calls made, timed by the kernel.');
    this._spansExported = meter.createCounter('kspan.spans.exported', {
      unit: '{span}',
      valueType: ValueType.INT,
      description: 'Spans handed to an exporter that reported success.',
    });
    this._parseErrors = meter.createCounter('kspan.parse.errors', {
      unit: '{error}',
      valueType: ValueType.INT,
      description: 'Byte streams a protocol parser gave up on.',
    });
    this._eventsReceived = meter.createObservableCounter('kspan.events.received', {
      unit: '{event}',
      valueType: ValueType.INT,
      description: 'Kernel events received from the BPF programs.',
    });
    this._eventsLost = meter.createObservableCounter('kspan.events.lost', {
      unit: '{event}',
      valueType: ValueType.INT,
      description: 'Kernel events lost before reaching kspan (ring buffer or map full, ...).',
    });
    // One batch callback: the source is read once per collection for both counters.
    meter.addBatchObservableCallback(
      result => {
        if (!this._eventSource) return;
        for (const s of this._eventSource()) {
          if (s.received !== undefined) result.observe(this._eventsReceived, s.received, { family: s.family });
          if (s.lost !== undefined) {
            result.observe(this._eventsLost, s.lost, { family: s.family, reason: s.reason ?? 'unknown' });
          }
        }
      },
      [this._eventsReceived, this._eventsLost],
    );
  }

  /** Where kspan.events.received/lost read their totals at each collection. */
  setEventCountersSource(source: EventCountersSource | undefined): void {
    this._eventSource = source;
  }

  /** Derive the request-duration metrics from a finished SERVER or CLIENT HTTP span. */
  recordSpan(span: KspanSpan): void {
    const durations = this._durations;
    if (!durations || span.kind === 'INTERNAL') return;
    if (span.attributes['rpc.system'] === 'grpc') {
      this.recordRpc(durations, span);
      return;
    }
    const method = span.attributes['http.request.method'];
    // Not an HTTP span, or its method was never decoded (HTTP/2 joined mid-way).
    if (typeof method !== 'string') return;
    const seconds = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e9;
    if (!(seconds >= 0)) return;
    const service = span.process.serviceName;
    const knownMethod = KNOWN_METHODS.has(method) ? method : '_OTHER';
    const s = span.attributes['http.response.status_code'];
    const p = span.attributes['server.port'];
    const status = typeof s === 'number' ? s : undefined;
    const port = typeof p === 'number' ? p : undefined;
    const errorType = errorTypeOf(span, status);
    const key = `${service}\n${knownMethod}\n${status}\n${port}\n${errorType}`;
    durations.record(span.kind === 'SERVER' ? this._serverDuration : this._clientDuration, seconds, key, () => {
      const attrs: Attributes = { 'service.name': service, 'http.request.method': knownMethod };
      if (status !== undefined) attrs['http.response.status_code'] = status;
      if (port !== undefined) attrs['server.port'] = port;
      if (errorType !== undefined) attrs['error.type'] = errorType;
      return attrs;
    });
  }

  /** rpc.{server,client}.duration from a gRPC span (HTTP/2 spans without gRPC stay HTTP). */
  private recordRpc(durations: DurationHistogramProducer, span: KspanSpan): void {
    const seconds = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e9;
    if (!(seconds >= 0)) return;
    const a = span.attributes;
    const serviceName = span.process.serviceName;
    let service: string | undefined, method: string | undefined;
    if (typeof a['rpc.service'] === 'string' && typeof a['rpc.method'] === 'string') {
      const pair = `${serviceName}\n${a['rpc.service']}\n${a['rpc.method']}`;
      if (this._rpcMethods.size < MAX_RPC_METHODS) this._rpcMethods.add(pair);
      const known = this._rpcMethods.has(pair);
      service = known ? a['rpc.service'] : '_OTHER';
      method = known ? a['rpc.method'] : '_OTHER';
    }
    const s = a['rpc.grpc.status_code'];
    const status = typeof s === 'number' ? s : undefined;
    const key = `${serviceName}\n${service}\n${method}\n${status}`;
    durations.record(span.kind === 'SERVER' ? this._rpcServerDuration : this._rpcClientDuration, seconds, key, () => {
      const attrs: Attributes = { 'service.name': serviceName, 'rpc.system': 'grpc' };
      if (service !== undefined && method !== undefined) {
        attrs['rpc.service'] = service;
        attrs['rpc.method'] = method;
      }
      if (status !== undefined) attrs['rpc.grpc.status_code'] = status;
      return attrs;
    });
  }

  /** Count spans an exporter accepted (wire to TraceExportPipeline's onExportResult). */
  addSpansExported(count: number, exporter: string): void {
    if (count > 0) this._spansExported.add(count, { exporter });
  }

  /** Count streams a parser gave up on, e.g. addParseErrors(1, "http1", "bad_status_line"). */
  addParseErrors(count: number, protocol: string, reason?: string): void {
    if (count <= 0) return;
    this._parseErrors.add(count, reason === undefined ? { protocol } : { protocol, reason });
  }
}

/**
 * error.type per the HTTP semconv: the status code as a string when it means
 * an error (5xx for a server; 4xx too for a client, as the client's request
 * failed), else the span's own error.type when the exchange failed without one.
 */
function errorTypeOf(span: KspanSpan, status: unknown): string | undefined {
  const threshold = span.kind === 'SERVER' ? 500 : 400;
  if (typeof status === 'number' && status >= threshold) return String(status);
  if (span.status.code !== 'ERROR') return undefined;
  const own = span.attributes['error.type'];
  return typeof own === 'string' ? own : '_OTHER';
}
