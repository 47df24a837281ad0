import { ValueType, createNoopMeter } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, Meter, ObservableCounter } from '@opentelemetry/api';
import type { KspanSpan } from '../correlate/span';

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
  private readonly _serverDuration: Histogram;
  private readonly _clientDuration: Histogram;
  private readonly _rpcServerDuration: Histogram;
  private readonly _rpcClientDuration: Histogram;
  private readonly _rpcMethods = new Set<string>();
  private readonly _spansExported: Counter;
  private readonly _parseErrors: Counter;
  private readonly _eventsReceived: ObservableCounter;
  private readonly _eventsLost: ObservableCounter;
  private _eventSource: EventCountersSource | undefined;

  constructor(meter: Meter = createNoopMeter()) {
    const durationOptions = {
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
    };
    this._serverDuration = meter.createHistogram('http.server.request.duration', {
      ...durationOptions,
      description: 'Duration of HTTP server requests, timed by the kernel.',
    });
    this._clientDuration = meter.createHistogram('http.client.request.duration', {
      ...durationOptions,
      description: 'Duration of HTTP client requests, timed by the kernel.',
    });
    this._rpcServerDuration = meter.createHistogram('rpc.server.duration', {
      ...durationOptions,
      description: 'Duration of gRPC calls served, timed by the kernel.',
    });
    this._rpcClientDuration = meter.createHistogram('rpc.client.duration', {
      ...durationOptions,
      description: 'Duration of gRPC calls made, timed by the kernel.',
    });
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
    if (span.kind === 'INTERNAL') return;
    if (span.attributes['rpc.system'] === 'grpc') {
      this.recordRpc(span);
      return;
    }
    const method = span.attributes['http.request.method'];
    // Not an HTTP span, or its method was never decoded (HTTP/2 joined mid-way).
    if (typeof method !== 'string') return;
    const seconds = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e9;
    if (!(seconds >= 0)) return;
    const attrs: Attributes = {
      'service.name': span.process.serviceName,
      'http.request.method': KNOWN_METHODS.has(method) ? method : '_OTHER',
    };
    const status = span.attributes['http.response.status_code'];
    if (typeof status === 'number') attrs['http.response.status_code'] = status;
    const port = span.attributes['server.port'];
    if (typeof port === 'number') attrs['server.port'] = port;
    const errorType = errorTypeOf(span, status);
    if (errorType !== undefined) attrs['error.type'] = errorType;
    (span.kind === 'SERVER' ? this._serverDuration : this._clientDuration).record(seconds, attrs);
  }

  /** rpc.{server,client}.duration from a gRPC span (HTTP/2 spans without gRPC stay HTTP). */
  private recordRpc(span: KspanSpan): void {
    const seconds = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e9;
    if (!(seconds >= 0)) return;
    const a = span.attributes;
    const attrs: Attributes = { 'service.name': span.process.serviceName, 'rpc.system': 'grpc' };
    const service = a['rpc.service'], method = a['rpc.method'];
    if (typeof service === 'string' && typeof method === 'string') {
      const key = `${span.process.serviceName}\n${service}\n${method}`;
      if (this._rpcMethods.size < MAX_RPC_METHODS) this._rpcMethods.add(key);
      const known = this._rpcMethods.has(key);
      attrs['rpc.service'] = known ? service : '_OTHER';
      attrs['rpc.method'] = known ? method : '_OTHER';
    }
    const status = a['rpc.grpc.status_code'];
    if (typeof status === 'number') attrs['rpc.grpc.status_code'] = status;
    (span.kind === 'SERVER' ? this._rpcServerDuration : this._rpcClientDuration).record(seconds, attrs);
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
