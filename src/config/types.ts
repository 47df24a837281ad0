/**
 * Resolved configuration: what the rest of kspan reads. Every field is set;
 * defaults are resolved in one place (defaults.ts) and documented in
 * docs/configuration.md. The YAML a user writes is collector-style and
 * partial; load.ts turns it into this.
 */

export interface DiscoveryConfig {
  /** Trace only these pids (empty = no pid filter). */
  pids: number[];
  /** Trace only processes whose executable basename or full path matches one of these (empty = any). */
  executables: string[];
  /** Trace only connections whose local or remote port is one of these (empty = any). */
  ports: number[];
}

export interface KernelReceiverConfig {
  /** Which probe families run. */
  /** Which probe families run (sockets is required by the others). */
  families: { sockets: boolean; tls: boolean; sched: boolean; tcp: boolean };
  /** Runqueue waits at least this long become events (and `runqueue wait` spans), ns. */
  runqueueThresholdNs: number;
  /** Arrival→first read at least this long becomes a `socket queue wait` span, ns. */
  socketWaitThresholdNs: number;
  discovery: DiscoveryConfig;
  /** Bytes of each read/write copied to user space for the parsers (64..4096). */
  payloadBytes: number;
  /** Ring buffer size in bytes (power of two, >= 4096 * page multiple). */
  ringBufferBytes: number;
  /** Drop the query string from url.full/url.query unless false. */
  redactQuery: boolean;
  /** How long a finished span is held for late kernel events before export, ms. */
  spanHoldMs: number;
}

export interface BatchProcessorConfig {
  /** Max delay before a batch is exported, ms. */
  timeoutMs: number;
  sendBatchSize: number;
  maxQueueSize: number;
}

export interface OtlpExporterConfig {
  type: 'otlp' | 'otlphttp';
  /** Component id as written in YAML, e.g. "otlp" or "otlp/jaeger". */
  name: string;
  /**
   * otlp: "host:port" or an http(s):// URL, as written or taken from
   * OTEL_EXPORTER_OTLP_(TRACES_|METRICS_)ENDPOINT.
   * otlphttp: the base URL without trailing "/" (e.g. "http://localhost:4318").
   */
  endpoint: string;
  /**
   * otlphttp only (always set there): the full URL this pipeline's signal is
   * posted to, e.g. "http://localhost:4318/v1/traces". Taken as-is from
   * traces_endpoint/metrics_endpoint or OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT,
   * else endpoint + "/v1/traces" or "/v1/metrics". Because of this field an
   * exporter used by both pipelines appears as two objects, one per signal.
   */
  signalEndpoint?: string;
  /** Plaintext (no TLS). Already resolved: an http:// / https:// scheme decides, else tls.insecure / OTEL_EXPORTER_OTLP_INSECURE. */
  insecure: boolean;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface FileExporterConfig {
  type: 'file';
  name: string;
  path: string;
}

export interface ConsoleExporterConfig {
  type: 'console';
  name: string;
}

export interface PrometheusExporterConfig {
  type: 'prometheus';
  name: string;
  host: string;
  port: number;
}

export type ExporterConfig =
  | OtlpExporterConfig
  | FileExporterConfig
  | ConsoleExporterConfig
  | PrometheusExporterConfig;

export interface PipelineConfig {
  exporters: ExporterConfig[];
  batch: BatchProcessorConfig;
}

export interface KspanConfig {
  kernel: KernelReceiverConfig;
  /** Absent pipeline = that signal is not exported. */
  traces?: PipelineConfig;
  metrics?: PipelineConfig & { intervalMs: number };
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Nice value kspan runs at (KSPAN_NICE, default 10). */
  nice: number;
  /** Where the config came from ("embedded default" or a path), for logs. */
  source: string;
}
