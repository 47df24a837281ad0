/**
 * Harness test (not a kspan feature test): proves that the real Jaeger v2 used
 * by the end-to-end tests builds, starts with otel-config/jaeger-e2e.yaml,
 * accepts OTLP/gRPC on 127.0.0.1:24317 and returns what it received through
 * JaegerProcess's query-API helpers.
 *
 * The Jaeger binary comes from scripts/setup-jaeger.sh (cached outside the
 * repo; the first build takes several minutes). The test is skipped only when
 * the Go toolchain is not installed and no cached binary exists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { JaegerProcess, normalizeTraceId, serviceOf, tagsToObject } from './JaegerProcess';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kspan') {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no kspan package.json above ${start}`);
  }
}

const repoRoot = findRepoRoot(__dirname);
const setupScript = path.join(repoRoot, 'scripts', 'setup-jaeger.sh');
const configPath = path.join(repoRoot, 'otel-config', 'jaeger-e2e.yaml');

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Same lookup as setup-jaeger.sh: $GO, `go` on PATH, /usr/local/go/bin/go. */
function findGo(): string | undefined {
  if (process.env['GO'] && isExecutable(process.env['GO'])) return process.env['GO'];
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  return isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

/** The binary path the setup script would reuse, if it is already there. */
function cachedBinaryGuess(): string | undefined {
  const script = fs.readFileSync(setupScript, 'utf8');
  const version = /^readonly JAEGER_VERSION=(\S+)/m.exec(script)?.[1];
  const home = process.env['HOME'] ?? os.homedir();
  const cacheRoot = process.env['KSPAN_CACHE_DIR'] || path.join(home, '.cache', 'kspan');
  const bin = version ? path.join(cacheRoot, `jaeger-${version}`, 'jaeger') : undefined;
  return bin && isExecutable(bin) ? bin : undefined;
}

const goPath = findGo();
const skipReason =
  goPath === undefined && cachedBinaryGuess() === undefined
    ? 'the Go toolchain (`go`) is not installed, so scripts/setup-jaeger.sh cannot build Jaeger v2'
    : false;

/** Runs scripts/setup-jaeger.sh (progress to our stderr) and returns the path on its last stdout line. */
function setupJaeger(): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (goPath !== undefined && env['GO'] === undefined) env['GO'] = goPath;
    const child = spawn('bash', [setupScript], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const last = out.trim().split('\n').pop()?.trim() ?? '';
      if (code !== 0) {
        reject(new Error(`scripts/setup-jaeger.sh failed (exit ${code ?? signal}); stdout: ${out}`));
      } else if (!last || !isExecutable(last)) {
        reject(new Error(`scripts/setup-jaeger.sh printed no usable binary path (last line: ${JSON.stringify(last)})`));
      } else {
        resolve(last);
      }
    });
  });
}

/** Wraps an exporter so the test can assert that the export really succeeded. */
class RecordingExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function randomHex(bytes: number): string {
  // Force a non-zero first byte: an all-zero upper half would make Jaeger print
  // a 16-digit trace ID (see normalizeTraceId), and all-zero IDs are invalid.
  const b = crypto.randomBytes(bytes);
  b[0] = b[0]! | 0x10;
  return b.toString('hex');
}

describe('Jaeger v2 e2e harness', { skip: skipReason }, () => {
  let jaeger: JaegerProcess | undefined;

  before(
    async () => {
      const binary = await setupJaeger();
      jaeger = await JaegerProcess.start({ binary, configPath, timeoutMs: 60_000 });
    },
    { timeout: 45 * 60_000 }, // a cold build of Jaeger takes minutes on 2 cores
  );

  after(async () => {
    if (!jaeger) return;
    await jaeger.stop();
    assert.equal(jaeger.running, false, 'Jaeger process was reaped');
  });

  test('listens only where the e2e config says', () => {
    assert.ok(jaeger);
    assert.equal(jaeger.otlpGrpcEndpoint, 'http://127.0.0.1:24317');
    assert.equal(jaeger.otlpHttpEndpoint, 'http://127.0.0.1:24318');
    assert.equal(jaeger.queryUrl, 'http://127.0.0.1:26686');
  });

  test('an OTLP/gRPC span comes back through the query API', { timeout: 60_000 }, async () => {
    assert.ok(jaeger);
    const service = `kspan-harness-${process.pid}-${Date.now()}`;
    assert.ok(!(await jaeger.getServices()).includes(service), 'fresh in-memory storage');

    const traceId = randomHex(16);
    const parentSpanId = randomHex(8);
    // Exact microsecond timestamps, so the µs units of the API can be asserted.
    const startMicros = (Date.now() - 2000) * 1000 + 123;
    const durationMicros = 1500;
    const toHr = (micros: number): HrTime => [Math.floor(micros / 1e6), (micros % 1e6) * 1000];

    const exporter = new RecordingExporter(new OTLPTraceExporter({ url: jaeger.otlpGrpcEndpoint }));
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'e2e' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('kspan-jaeger-harness', '0.0.1');
    // The span's parent is a remote span (as for a server span whose caller
    // sent traceparent), so the parent link is checked with known IDs.
    const parentCtx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: parentSpanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const span = tracer.startSpan(
      'GET /harness',
      {
        kind: SpanKind.SERVER,
        startTime: toHr(startMicros),
        attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.path': '/harness' },
      },
      parentCtx,
    );
    const spanId = span.spanContext().spanId;
    assert.equal(span.spanContext().traceId, traceId);
    span.end(toHr(startMicros + durationMicros));
    await provider.forceFlush();
    await provider.shutdown();
    assert.deepEqual(
      exporter.results.map((r) => (r.code === ExportResultCode.SUCCESS ? 'ok' : `failed: ${r.error?.message}`)),
      ['ok'],
      'the OTLP/gRPC export to Jaeger succeeded',
    );

    const traces = await jaeger.waitForTraces(
      service,
      (ts) => ts.some((t) => t.spans.some((s) => s.spanID === spanId)),
      15_000,
    );
    assert.equal(traces.length, 1);
    const got = traces[0]!;
    assert.equal(normalizeTraceId(got.traceID), traceId);
    assert.equal(got.spans.length, 1);
    const s = got.spans[0]!;

    assert.equal(s.operationName, 'GET /harness');
    assert.equal(normalizeTraceId(s.traceID), traceId);
    assert.equal(s.spanID, spanId);
    assert.equal(serviceOf(got, s), service);
    assert.deepEqual(
      s.references.map((r) => ({ ...r, traceID: normalizeTraceId(r.traceID) })),
      [{ refType: 'CHILD_OF', traceID: traceId, spanID: parentSpanId }],
    );
    assert.equal(s.startTime, startMicros, 'startTime is µs since epoch');
    assert.equal(s.duration, durationMicros, 'duration is µs');

    const tags = tagsToObject(s.tags);
    assert.equal(tags['span.kind'], 'server');
    assert.equal(tags['http.request.method'], 'GET');
    assert.equal(tags['http.response.status_code'], 200);
    assert.equal(s.tags.find((t) => t.key === 'http.response.status_code')?.type, 'int64');
    assert.equal(tags['otel.scope.name'], 'kspan-jaeger-harness');
    const processTags = tagsToObject(got.processes[s.processID]!.tags);
    assert.equal(processTags['deployment.environment.name'], 'e2e');

    // The other read paths agree.
    assert.ok((await jaeger.getServices()).includes(service));
    assert.deepEqual(await jaeger.getOperations(service), ['GET /harness']);
    const byId = await jaeger.getTrace(traceId);
    assert.ok(byId, 'GET /api/traces/{id} finds the trace');
    assert.deepEqual(byId.spans.map((x) => x.spanID), [spanId]);
    assert.equal(await jaeger.getTrace(randomHex(16)), undefined, 'unknown trace id -> 404 -> undefined');
    const none = await jaeger.findTraces(`${service}-unknown`);
    assert.deepEqual(none.data, []);
  });
});
