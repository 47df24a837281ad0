/**
 * Test helper: runs a real Jaeger v2 all-in-one process (built by
 * scripts/setup-jaeger.sh) with otel-config/jaeger-e2e.yaml and reads spans
 * back through Jaeger's HTTP query API.
 *
 *   const jaeger = await JaegerProcess.start({ binary, configPath });
 *   try {
 *     // ...send OTLP to jaeger.otlpGrpcEndpoint ("http://127.0.0.1:24317")...
 *     const traces = await jaeger.waitForTraces('my-service', (ts) => ts.length > 0, 10_000);
 *   } finally {
 *     await jaeger.stop();
 *   }
 *
 * Endpoints are read from the config file (receivers.otlp.protocols.{grpc,http}.endpoint
 * and extensions.jaeger_query.http.endpoint); missing entries fall back to the
 * e2e defaults in JAEGER_E2E_DEFAULTS.
 *
 * ## Shape of the query API (`/api/...`, Jaeger's internal "UI" JSON API)
 *
 * Every response is an envelope `{ data, total, limit, offset, errors }` (`total`,
 * `limit`, `offset` are 0 for trace searches; they are not counts you can use):
 *   - GET /api/services -> `data: string[]` (null when there are none; getServices() returns []).
 *   - GET /api/traces?service=S&limit=N&lookback=1h[&operation=..&tags={json}&start=µs&end=µs
 *         &minDuration=1ms&maxDuration=..] -> `data: JaegerTrace[]`.
 *     An unknown service is not an error: `data` is [] (Jaeger v2 memory storage).
 *     Without `service` it is HTTP 400 ("parameter 'service' is required").
 *   - GET /api/traces/{traceID} -> `data: [JaegerTrace]`, or HTTP 404 with
 *     `errors: [{code: 404, msg: "trace not found"}]`.
 *   - GET / serves a placeholder page: the UI is not embedded in a `go build`
 *     from module source (Jaeger logs "ui assets not embedded"); the API is unaffected.
 *
 * A JaegerTrace is `{ traceID, spans: JaegerSpan[], processes: {p1: JaegerProcessInfo, ...}, warnings }`.
 * A JaegerSpan is
 *   { traceID, spanID, operationName,
 *     references: [{ refType: 'CHILD_OF' | 'FOLLOWS_FROM', traceID, spanID }],
 *     startTime,   // µs since the Unix epoch
 *     duration,    // µs
 *     tags: [{ key, type: 'string'|'bool'|'int64'|'float64'|'binary', value }],
 *     logs: [{ timestamp, fields: JaegerTag[] }],   // timestamp in µs
 *     processID,   // key into trace.processes ('p1', 'p2', ...)
 *     warnings: string[] | null, flags }
 * and a JaegerProcessInfo is `{ serviceName, tags: JaegerTag[] }` (resource attributes
 * other than service.name become process tags).
 *
 * Conversions from OTLP worth knowing (Jaeger's OTLP -> Jaeger model translation,
 * checked against v2.13.0):
 *   - the OTLP parent span id becomes a CHILD_OF reference (root spans have references: []);
 *   - span kind becomes the tag `span.kind` ('server', 'client', 'internal', ...);
 *   - status becomes `otel.status_code` ('OK' / 'ERROR'), `otel.status_description`,
 *     and `error: true` (bool) for ERROR; UNSET adds nothing;
 *   - the instrumentation scope becomes `otel.scope.name` / `otel.scope.version`;
 *   - int attributes are type 'int64' with a JSON number value, doubles 'float64',
 *     booleans 'bool', arrays become a 'string' holding JSON (e.g. '["x","y"]');
 *   - span events become logs: fields `event` = event name, then the event attributes;
 *   - span order inside a trace is not guaranteed (children may come first);
 *   - IDs are lowercase hex; a trace ID whose upper 64 bits are zero is printed
 *     with 16 hex digits only (Jaeger's TraceID.String()). Compare trace IDs
 *     through normalizeTraceId().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64' | 'binary' | string;
  value: string | number | boolean;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM' | string;
  traceID: string;
  spanID: string;
}

export interface JaegerLog {
  /** µs since the Unix epoch */
  timestamp: number;
  fields: JaegerTag[];
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  /** µs since the Unix epoch */
  startTime: number;
  /** µs */
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  /** key into JaegerTrace.processes */
  processID: string;
  warnings: string[] | null;
  flags?: number;
}

export interface JaegerProcessInfo {
  serviceName: string;
  tags: JaegerTag[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcessInfo>;
  warnings: string[] | null;
}

export interface JaegerApiError {
  code: number;
  msg: string;
  traceID?: string;
}

/** The envelope of every /api/* response. */
export interface JaegerApiResponse<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: JaegerApiError[] | null;
}

export interface FindTracesOptions {
  /** max traces to return (Jaeger `limit`), default 20 */
  limit?: number;
  /** how far back to search, Jaeger duration syntax ('1h', '30m'), default '1h' */
  lookback?: string;
  /** restrict to one operation (span name) */
  operation?: string;
  /** span/process tags that must match exactly (sent as the `tags` JSON parameter) */
  tags?: Record<string, string>;
  /** search window in µs since epoch (both optional; Jaeger derives them from lookback) */
  startMicros?: number;
  endMicros?: number;
  /** Jaeger duration syntax, e.g. '1ms' */
  minDuration?: string;
  maxDuration?: string;
}

export interface JaegerStartOptions {
  /** path of the jaeger binary (see scripts/setup-jaeger.sh) */
  binary: string;
  /** path of the Jaeger YAML config (e.g. otel-config/jaeger-e2e.yaml) */
  configPath: string;
  /** how long to wait for the query API and the OTLP ports, default 60 s */
  timeoutMs?: number;
  /** where Jaeger's stdout+stderr go; default <tmpdir>/kspan-jaeger-XXXXXX/jaeger.log */
  logPath?: string;
  /** extra environment for the Jaeger process */
  env?: NodeJS.ProcessEnv;
}

export const JAEGER_E2E_DEFAULTS = {
  otlpGrpc: '127.0.0.1:24317',
  otlpHttp: '127.0.0.1:24318',
  queryHttp: '127.0.0.1:26686',
} as const;

/** Pads a Jaeger trace ID to 32 hex digits (Jaeger drops a zero upper half). */
export function normalizeTraceId(id: string): string {
  return id.toLowerCase().padStart(32, '0');
}

/** Span or process tags as a plain key -> value object. */
export function tagsToObject(tags: readonly JaegerTag[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const t of tags) out[t.key] = t.value;
  return out;
}

/** The service name of a span, looked up through trace.processes. */
export function serviceOf(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function splitHostPort(endpoint: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(endpoint.trim());
  if (!m) throw new Error(`cannot parse host:port endpoint ${JSON.stringify(endpoint)}`);
  return { host: m[1] === '' ? '127.0.0.1' : m[1]!, port: Number(m[2]) };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function getPath(obj: unknown, keys: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

interface Endpoints {
  otlpGrpc: string;
  otlpHttp: string;
  queryHttp: string;
}

/** Reads the listener endpoints from a Jaeger config, with e2e defaults. */
export function readJaegerEndpoints(configPath: string): Endpoints {
  const doc: unknown = parseYaml(fs.readFileSync(configPath, 'utf8'));
  const pick = (keys: string[], fallback: string): string => {
    const v = getPath(doc, keys);
    if (typeof v !== 'string' || v === '') return fallback;
    if (v.includes('${')) {
      throw new Error(`${configPath}: ${keys.join('.')} uses substitution (${v}); JaegerProcess needs a literal host:port`);
    }
    return v;
  };
  return {
    otlpGrpc: pick(['receivers', 'otlp', 'protocols', 'grpc', 'endpoint'], JAEGER_E2E_DEFAULTS.otlpGrpc),
    otlpHttp: pick(['receivers', 'otlp', 'protocols', 'http', 'endpoint'], JAEGER_E2E_DEFAULTS.otlpHttp),
    queryHttp: pick(['extensions', 'jaeger_query', 'http', 'endpoint'], JAEGER_E2E_DEFAULTS.queryHttp),
  };
}

/** Resolves true if something accepts a TCP connection on host:port. */
function tcpAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export class JaegerProcess {
  /** OTLP/gRPC endpoint as a URL for @opentelemetry/exporter-trace-otlp-grpc, e.g. http://127.0.0.1:24317 */
  readonly otlpGrpcEndpoint: string;
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:24318 (traces go to `${otlpHttpEndpoint}/v1/traces`) */
  readonly otlpHttpEndpoint: string;
  /** base URL of the query API / UI, e.g. http://127.0.0.1:26686 */
  readonly queryUrl: string;
  /** file receiving Jaeger's stdout and stderr (its logs are on stderr) */
  readonly logPath: string;
  readonly pid: number;

  private readonly child: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stopping: Promise<void> | undefined;
  private readonly killOnParentExit = (): void => {
    if (this.exitInfo === undefined) this.child.kill('SIGKILL');
  };

  private constructor(child: ChildProcess, endpoints: Endpoints, logPath: string) {
    this.child = child;
    this.pid = child.pid!;
    this.logPath = logPath;
    const grpc = splitHostPort(endpoints.otlpGrpc);
    const http = splitHostPort(endpoints.otlpHttp);
    const query = splitHostPort(endpoints.queryHttp);
    this.otlpGrpcEndpoint = `http://${urlHost(grpc.host)}:${grpc.port}`;
    this.otlpHttpEndpoint = `http://${urlHost(http.host)}:${http.port}`;
    this.queryUrl = `http://${urlHost(query.host)}:${query.port}`;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        process.removeListener('exit', this.killOnParentExit);
        resolve(this.exitInfo);
      });
    });
    // Never leave an orphaned Jaeger behind if the test process dies without stop().
    process.on('exit', this.killOnParentExit);
  }

  /**
   * Spawns `binary --config configPath` and resolves once the query API answers
   * GET /api/services and the OTLP gRPC and HTTP ports accept connections (the
   * collector starts extensions such as jaeger_query before its receivers, so
   * the query API alone does not mean OTLP is ready). Rejects (after killing
   * the process) on timeout or if Jaeger exits early; the error includes the
   * tail of the log.
   */
  static async start(opts: JaegerStartOptions): Promise<JaegerProcess> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const binary = path.resolve(opts.binary);
    const configPath = path.resolve(opts.configPath);
    try {
      fs.accessSync(binary, fs.constants.X_OK);
    } catch (err) {
      throw new Error(`Jaeger binary ${binary} is not executable (run scripts/setup-jaeger.sh): ${(err as Error).message}`);
    }
    const endpoints = readJaegerEndpoints(configPath);

    // A leftover Jaeger (or anything else) on our ports would make the
    // readiness check pass against the wrong process: refuse instead.
    for (const [name, ep] of Object.entries(endpoints)) {
      const { host, port } = splitHostPort(ep);
      if (await tcpAccepts(host, port, 500)) {
        throw new Error(
          `cannot start Jaeger: ${name} endpoint ${ep} is already in use (a leftover Jaeger from an earlier run?)`,
        );
      }
    }

    const logPath =
      opts.logPath ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-jaeger-')), 'jaeger.log');
    fs.mkdirSync(path.dirname(logPath), { recursive: true });
    const logFd = fs.openSync(logPath, 'w');
    let child: ChildProcess;
    try {
      child = spawn(binary, ['--config', configPath], {
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, ...opts.env },
      });
    } finally {
      fs.closeSync(logFd); // the child has its own copy
    }
    // spawn() reports ENOENT/EACCES asynchronously through 'error'.
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('error', resolve);
      child.once('spawn', () => resolve(undefined));
    });
    if (spawnError || child.pid === undefined) {
      throw new Error(`failed to spawn ${binary}: ${spawnError?.message ?? 'no pid'}`);
    }

    const jaeger = new JaegerProcess(child, endpoints, logPath);
    try {
      await jaeger.waitUntilReady(timeoutMs);
    } catch (err) {
      await jaeger.stop();
      throw new Error(`${(err as Error).message}\n--- ${logPath} (tail) ---\n${jaeger.logTail()}`);
    }
    return jaeger;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const grpc = splitHostPort(new URL(this.otlpGrpcEndpoint).host);
    const http = splitHostPort(new URL(this.otlpHttpEndpoint).host);
    let lastProblem = 'not polled yet';
    while (Date.now() < deadline) {
      if (this.exitInfo) {
        throw new Error(
          `Jaeger exited during startup (code ${this.exitInfo.code}, signal ${this.exitInfo.signal})`,
        );
      }
      try {
        const res = await fetch(`${this.queryUrl}/api/services`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (!res.ok) {
          lastProblem = `GET /api/services -> HTTP ${res.status}`;
        } else if (!(await tcpAccepts(grpc.host, grpc.port))) {
          lastProblem = `OTLP gRPC port ${grpc.host}:${grpc.port} not accepting yet`;
        } else if (!(await tcpAccepts(http.host, http.port))) {
          lastProblem = `OTLP HTTP port ${http.host}:${http.port} not accepting yet`;
        } else {
          return;
        }
      } catch (err) {
        lastProblem = `GET ${this.queryUrl}/api/services: ${(err as Error).message}`;
      }
      await Promise.race([sleep(200), this.exited]);
    }
    throw new Error(`Jaeger did not become ready within ${timeoutMs} ms (last: ${lastProblem})`);
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last `maxBytes` of Jaeger's log, for error messages. */
  logTail(maxBytes = 8192): string {
    try {
      const buf = fs.readFileSync(this.logPath);
      return buf.subarray(Math.max(0, buf.length - maxBytes)).toString('utf8');
    } catch (err) {
      return `(cannot read ${this.logPath}: ${(err as Error).message})`;
    }
  }

  /** GET `${queryUrl}${pathAndQuery}` and parse the JSON envelope. 404 is returned, not thrown. */
  async apiGet<T>(pathAndQuery: string, timeoutMs = 5000): Promise<JaegerApiResponse<T> & { httpStatus: number }> {
    const url = `${this.queryUrl}${pathAndQuery}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: JaegerApiResponse<T>;
    try {
      body = JSON.parse(text) as JaegerApiResponse<T>;
    } catch {
      throw new Error(`GET ${url}: HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
    }
    if (!res.ok && res.status !== 404) {
      throw new Error(`GET ${url}: HTTP ${res.status}: ${JSON.stringify(body.errors ?? text.slice(0, 500))}`);
    }
    return { ...body, httpStatus: res.status };
  }

  /** Service names Jaeger has seen (GET /api/services). */
  async getServices(): Promise<string[]> {
    const res = await this.apiGet<string[] | null>('/api/services');
    return [...(res.data ?? [])].sort();
  }

  /** Operation (span) names of one service (GET /api/services/{service}/operations). */
  async getOperations(service: string): Promise<string[]> {
    const res = await this.apiGet<string[] | null>(`/api/services/${encodeURIComponent(service)}/operations`);
    return [...(res.data ?? [])].sort();
  }

  /** Searches traces of a service (GET /api/traces?service=...). Returns the whole parsed response. */
  async findTraces(service: string, opts: FindTracesOptions = {}): Promise<JaegerApiResponse<JaegerTrace[]>> {
    const q = new URLSearchParams();
    q.set('service', service);
    q.set('limit', String(opts.limit ?? 20));
    q.set('lookback', opts.lookback ?? '1h');
    if (opts.operation !== undefined) q.set('operation', opts.operation);
    if (opts.tags !== undefined) q.set('tags', JSON.stringify(opts.tags));
    if (opts.startMicros !== undefined) q.set('start', String(opts.startMicros));
    if (opts.endMicros !== undefined) q.set('end', String(opts.endMicros));
    if (opts.minDuration !== undefined) q.set('minDuration', opts.minDuration);
    if (opts.maxDuration !== undefined) q.set('maxDuration', opts.maxDuration);
    const res = await this.apiGet<JaegerTrace[] | null>(`/api/traces?${q.toString()}`);
    if (res.errors && res.errors.length > 0) {
      throw new Error(`GET /api/traces?${q.toString()}: ${JSON.stringify(res.errors)}`);
    }
    const { httpStatus: _ignored, ...body } = res;
    void _ignored;
    return { ...body, data: res.data ?? [] };
  }

  /** One trace by ID (GET /api/traces/{id}); undefined if Jaeger answers 404. */
  async getTrace(traceId: string): Promise<JaegerTrace | undefined> {
    const res = await this.apiGet<JaegerTrace[] | null>(`/api/traces/${encodeURIComponent(traceId)}`);
    if (res.httpStatus === 404) return undefined;
    return res.data?.[0];
  }

  /**
   * Polls findTraces(service) until `predicate(traces)` is true and returns
   * those traces. Spans reach storage asynchronously (exporter batching plus
   * Jaeger's batch processor), so tests should always read through this.
   * Rejects with the last seen traces summarised if the timeout expires.
   */
  async waitForTraces(
    service: string,
    predicate: (traces: JaegerTrace[]) => boolean,
    timeoutMs = 10_000,
    opts: FindTracesOptions = {},
  ): Promise<JaegerTrace[]> {
    const deadline = Date.now() + timeoutMs;
    let last: JaegerTrace[] = [];
    let lastError: unknown;
    for (;;) {
      if (this.exitInfo) throw new Error(`Jaeger has exited (code ${this.exitInfo.code}); log: ${this.logPath}`);
      try {
        last = (await this.findTraces(service, opts)).data;
        lastError = undefined;
        if (predicate(last)) return last;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() >= deadline) break;
      await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
    }
    const summary = last.map((t) => `${t.traceID}: [${t.spans.map((s) => s.operationName).join(', ')}]`);
    throw new Error(
      `waitForTraces(${JSON.stringify(service)}) timed out after ${timeoutMs} ms; ` +
        `last saw ${last.length} trace(s) ${JSON.stringify(summary)}` +
        (lastError ? `; last error: ${(lastError as Error).message}` : ''),
    );
  }

  /**
   * Stops Jaeger: SIGTERM, then SIGKILL if it has not exited after
   * `killAfterMs`. Always waits for the process to be reaped. Idempotent.
   */
  stop(killAfterMs = 10_000): Promise<void> {
    this.stopping ??= (async () => {
      if (this.exitInfo === undefined) {
        this.child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), killAfterMs);
        });
        const first = await Promise.race([this.exited, timedOut]);
        clearTimeout(timer);
        if (first === 'timeout' && this.exitInfo === undefined) {
          this.child.kill('SIGKILL');
        }
      }
      await this.exited;
    })();
    return this.stopping;
  }

  /** Exit code/signal once the process has exited. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }
}
