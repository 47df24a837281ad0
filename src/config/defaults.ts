/**
 * Every default of kspan's configuration, in one place. The loader reads
 * these and nothing else; docs/configuration.md repeats them and must be
 * kept in step.
 */

/** Socket probes (connections, reads, writes) are what every span is built from, so they are on. */
export const DEFAULT_FAMILY_SOCKETS = true;

/** OpenSSL uprobes: most traffic is TLS, and without them HTTPS is invisible. */
export const DEFAULT_FAMILY_TLS = true;

/** Scheduler probes: runqueue waits of request threads, and latency histograms of every process. */
export const DEFAULT_FAMILY_SCHED = true;

/** TCP probes: retransmits, connects, drops (with their kernel reason). */
export const DEFAULT_FAMILY_TCP = true;

/** Runqueue waits shorter than this are only counted in histograms, never sent as events (100 µs). */
export const DEFAULT_RUNQUEUE_THRESHOLD_MS = 0.1;

/** A request that sat in its socket longer than this before the first read gets a `socket queue wait` child (1 ms). */
export const DEFAULT_SOCKET_WAIT_THRESHOLD_MS = 1;

/** Empty discovery lists mean "no filter": trace every process, executable and port on the host. */
export const DEFAULT_DISCOVERY_PIDS: readonly number[] = [];
export const DEFAULT_DISCOVERY_EXECUTABLES: readonly string[] = [];
export const DEFAULT_DISCOVERY_PORTS: readonly number[] = [];

/** 2 KiB holds a request line and typical headers; more costs copy time on every read/write. */
export const DEFAULT_PAYLOAD_BYTES = 2048;
/** The kernel copies at most this much per event; bounds of receivers.kernel.payload_bytes. */
export const MIN_PAYLOAD_BYTES = 64;
export const MAX_PAYLOAD_BYTES = 4096;

/** 8 MiB rides out bursts of ~10^5 events without loss on a busy host; must be a power of two. */
export const DEFAULT_RING_BUFFER_BYTES = 8 * 1024 * 1024;
/** The kernel wants a power-of-two multiple of the page size; 4 KiB is the smallest page. */
export const MIN_RING_BUFFER_BYTES = 4096;
/** Above 1 GiB is almost surely a typo, and locks that much kernel memory. */
export const MAX_RING_BUFFER_BYTES = 1024 * 1024 * 1024;

/** Query strings often carry tokens and personal data, so they are dropped unless asked for. */
export const DEFAULT_REDACT_QUERY = true;

/** Kernel events for a request (a late retransmit, a runqueue wait) can trail its end by a few hundred ms. */
export const DEFAULT_SPAN_HOLD_MS = 300;
/** Holding spans longer than a minute only delays export and grows memory. */
export const MAX_SPAN_HOLD_MS = 60_000;

/** Metric export interval; 10 s matches common Prometheus scrape intervals. */
export const DEFAULT_METRICS_INTERVAL_MS = 10_000;
export const MIN_METRICS_INTERVAL_MS = 1_000;
export const MAX_METRICS_INTERVAL_MS = 3_600_000;

/** Batch processor: the collector's defaults (1 s, 512) and a queue deep enough for bursts. */
export const DEFAULT_BATCH_TIMEOUT_MS = 1_000;
export const DEFAULT_SEND_BATCH_SIZE = 512;
export const DEFAULT_MAX_QUEUE_SIZE = 8192;
/** Upper bounds that catch typos (an extra zero or three) before they cost memory. */
export const MAX_BATCH_TIMEOUT_MS = 600_000;
export const MAX_QUEUE_SIZE = 1_000_000;

/** kspan's CPU priority (KSPAN_NICE): below the applications it observes, so contended CPUs go to them. */
export const DEFAULT_NICE = 10;

/** kspan's own log level. */
export const DEFAULT_LOG_LEVEL = 'info' as const;

/** OTLP/gRPC: host:port, the collector's convention and port. */
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'localhost:4317';
/** OTLP/HTTP: the base URL; the exporter appends /v1/traces or /v1/metrics. */
export const DEFAULT_OTLP_HTTP_ENDPOINT = 'http://localhost:4318';
/** TLS unless told otherwise, as in the collector and the OTel spec. */
export const DEFAULT_OTLP_INSECURE = false;
/** Per-export deadline; the collector's default. */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;
export const MAX_OTLP_TIMEOUT_MS = 600_000;

/** Prometheus scrape endpoint: loopback only, so metrics are not exposed off-host by accident. */
export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';
/** The port registered for the OpenTelemetry Prometheus exporter. */
export const DEFAULT_PROMETHEUS_PORT = 9464;

/** Where the embedded default writes spans (one OTLP-JSON export request per line). */
export const DEFAULT_FILE_PATH = '/var/log/kspan/spans.jsonl';

/** The `source` reported when no config file was given. */
export const EMBEDDED_DEFAULT_SOURCE = 'embedded default';

/**
 * The config `kspan run` uses with neither --config nor KSPAN_CONFIG: spans to
 * the console and to a file (KSPAN_FILE_PATH overrides its path), metrics on
 * the Prometheus endpoint. It goes through the same loader as a user's file,
 * so it is validated and env-substituted the same way.
 */
export const EMBEDDED_DEFAULT_YAML = `# kspan embedded default configuration
exporters:
  console: {}
  file:
    path: \${env:KSPAN_FILE_PATH:-${DEFAULT_FILE_PATH}}
  prometheus:
    endpoint: ${DEFAULT_PROMETHEUS_HOST}:${DEFAULT_PROMETHEUS_PORT}
service:
  pipelines:
    traces:
      exporters: [console, file]
    metrics:
      exporters: [prometheus]
`;
