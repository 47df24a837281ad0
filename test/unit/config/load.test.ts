import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaults, loadConfig } from '../../../src/config';
import { assertConfigError, load } from './helpers';

const EXACT_FILE = `exporters:
  file:
    path: /tmp/kspan-spans.jsonl
service:
  pipelines:
    traces:
      exporters: [file]
`;

const DEFAULT_KERNEL = {
  families: { sockets: true, tls: true, sched: true, tcp: true },
  discovery: { pids: [], executables: [], ports: [] },
  payloadBytes: 2048,
  ringBufferBytes: 8 * 1024 * 1024,
  redactQuery: true,
  spanHoldMs: 300,
  runqueueThresholdNs: 100_000,
  socketWaitThresholdNs: 1_000_000,
};

const DEFAULT_BATCH = { timeoutMs: 1000, sendBatchSize: 512, maxQueueSize: 8192 };

const dir = mkdtempSync(join(tmpdir(), 'kspan-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig: the minimal file exporter config', () => {
  it('yields one file exporter on traces, the default kernel receiver, and no metrics', () => {
    const { config, warnings } = load(EXACT_FILE);
    assert.deepEqual(config.traces, {
      exporters: [{ type: 'file', name: 'file', path: '/tmp/kspan-spans.jsonl' }],
      batch: DEFAULT_BATCH,
    });
    assert.deepEqual(config.kernel, DEFAULT_KERNEL);
    assert.equal('metrics' in config, false);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(warnings, []);
  });

  it('loads the same from a file, with the path as source', () => {
    const path = join(dir, 'exact.yaml');
    writeFileSync(path, EXACT_FILE);
    const { config } = loadConfig({ path, env: {} });
    assert.equal(config.source, path);
    assert.equal(config.traces?.exporters[0]?.type, 'file');
  });

  it('reads KSPAN_CONFIG when no path is given, and an explicit path wins over it', () => {
    const fromEnv = join(dir, 'env.yaml');
    writeFileSync(fromEnv, EXACT_FILE);
    assert.equal(loadConfig({ env: { KSPAN_CONFIG: fromEnv } }).config.source, fromEnv);

    const explicit = join(dir, 'explicit.yaml');
    writeFileSync(explicit, EXACT_FILE.replace('/tmp/kspan-spans.jsonl', '/tmp/other.jsonl'));
    const { config } = loadConfig({ path: explicit, env: { KSPAN_CONFIG: fromEnv } });
    assert.equal(config.source, explicit);
    assert.deepEqual(config.traces?.exporters, [{ type: 'file', name: 'file', path: '/tmp/other.jsonl' }]);
  });

  it('labels inline text with the given path, else "inline config"', () => {
    assert.equal(loadConfig({ yamlText: EXACT_FILE, path: 'x.yaml', env: {} }).config.source, 'x.yaml');
    assert.equal(load(EXACT_FILE).config.source, 'inline config');
  });
});

describe('loadConfig: the embedded default', () => {
  it('is used with no path, no text and no KSPAN_CONFIG (or an empty one)', () => {
    for (const env of [{}, { KSPAN_CONFIG: '' }]) {
      const { config, warnings } = loadConfig({ env });
      assert.equal(config.source, 'embedded default');
      assert.deepEqual(warnings, []);
      assert.deepEqual(config, {
        kernel: DEFAULT_KERNEL,
        logLevel: 'info',
        nice: 10,
        source: 'embedded default',
        traces: {
          exporters: [
            { type: 'console', name: 'console' },
            { type: 'file', name: 'file', path: '/var/log/kspan/spans.jsonl' },
          ],
          batch: DEFAULT_BATCH,
        },
        metrics: {
          exporters: [{ type: 'prometheus', name: 'prometheus', host: '127.0.0.1', port: 9464 }],
          batch: DEFAULT_BATCH,
          intervalMs: 10_000,
        },
      });
    }
  });

  it('takes the span file path from KSPAN_FILE_PATH', () => {
    const { config } = loadConfig({ env: { KSPAN_FILE_PATH: '/data/spans.jsonl' } });
    assert.deepEqual(config.traces?.exporters[1], { type: 'file', name: 'file', path: '/data/spans.jsonl' });
  });

  it('is spelled out in docs/configuration.md exactly as in defaults.ts', () => {
    const docs = readFileSync(join(__dirname, '../../../../docs/configuration.md'), 'utf8');
    assert.ok(docs.includes(defaults.EMBEDDED_DEFAULT_YAML), 'docs contain EMBEDDED_DEFAULT_YAML verbatim');
  });
});

describe('loadConfig: the documented examples', () => {
  it('loads every yaml block in docs/configuration.md', () => {
    const docs = readFileSync(join(__dirname, '../../../../docs/configuration.md'), 'utf8');
    const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
    assert.ok(blocks.length >= 2);
    for (const block of blocks) {
      if (!block.includes('service:')) continue; // fragments
      assert.doesNotThrow(() => load(block, { OTLP_TOKEN: 't' }), block);
    }
  });

  it('resolves the full example', () => {
    const { config, warnings } = load(
      `receivers:
  kernel:
    families: { sockets: true, tls: false, sched: true, tcp: false }
    discovery: { pids: [123], executables: [nginx, /usr/bin/python3], ports: [8080] }
    runqueue_threshold: 250us
    socket_wait_threshold: 2ms
    payload_bytes: 1024
    ring_buffer_bytes: 16777216
    redact_query: false
    span_hold: 500ms
    metrics_interval: 15s
processors:
  batch: { timeout: 2s, send_batch_size: 256, send_batch_max_size: 1024, max_queue_size: 4096 }
exporters:
  otlp/jaeger: { endpoint: "jaeger:4317", tls: { insecure: true }, headers: { x-tenant: a }, timeout: 5s }
  otlphttp/tempo: { endpoint: "https://tempo.example:4318", headers: { authorization: "Bearer t" } }
  file: { path: /tmp/x.jsonl }
  debug: {}
  prometheus: { endpoint: "0.0.0.0:9100" }
service:
  pipelines:
    traces: { receivers: [kernel], processors: [batch], exporters: [otlp/jaeger, otlphttp/tempo, file, debug] }
    metrics: { receivers: [kernel], processors: [batch], exporters: [prometheus, otlp/jaeger] }
  telemetry: { logs: { level: debug } }
`,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.kernel, {
      families: { sockets: true, tls: false, sched: true, tcp: false },
      discovery: { pids: [123], executables: ['nginx', '/usr/bin/python3'], ports: [8080] },
      payloadBytes: 1024,
      ringBufferBytes: 16777216,
      redactQuery: false,
      spanHoldMs: 500,
      runqueueThresholdNs: 250_000,
      socketWaitThresholdNs: 2_000_000,
    });
    const batch = { timeoutMs: 2000, sendBatchSize: 256, maxQueueSize: 4096 };
    assert.deepEqual(config.traces, {
      batch,
      exporters: [
        { type: 'otlp', name: 'otlp/jaeger', endpoint: 'jaeger:4317', insecure: true, headers: { 'x-tenant': 'a' }, timeoutMs: 5000 },
        {
          type: 'otlphttp',
          name: 'otlphttp/tempo',
          endpoint: 'https://tempo.example:4318',
          signalEndpoint: 'https://tempo.example:4318/v1/traces',
          insecure: false,
          headers: { authorization: 'Bearer t' },
          timeoutMs: 10_000,
        },
        { type: 'file', name: 'file', path: '/tmp/x.jsonl' },
        { type: 'console', name: 'debug' },
      ],
    });
    assert.deepEqual(config.metrics?.exporters[0], { type: 'prometheus', name: 'prometheus', host: '0.0.0.0', port: 9100 });
    assert.equal(config.metrics?.exporters[1]?.type, 'otlp');
    assert.equal(config.metrics?.intervalMs, 15_000);
    assert.equal(config.logLevel, 'debug');
  });
});

describe('loadConfig: log level', () => {
  const yaml = `${EXACT_FILE}  telemetry:\n    logs:\n      level: warn\n`;

  it('reads service.telemetry.logs.level', () => {
    assert.equal(load(yaml).config.logLevel, 'warn');
  });

  it('lets KSPAN_LOG_LEVEL override it, case-insensitively', () => {
    assert.equal(load(yaml, { KSPAN_LOG_LEVEL: 'DEBUG' }).config.logLevel, 'debug');
    assert.equal(load(yaml, { KSPAN_LOG_LEVEL: '' }).config.logLevel, 'warn');
  });

  it('rejects an unknown level in YAML or env', () => {
    assertConfigError(() => load(yaml.replace('warn', 'verbose')), 'service.telemetry.logs.level', /error, warn, info, debug/);
    assertConfigError(() => load(yaml, { KSPAN_LOG_LEVEL: 'loud' }), 'KSPAN_LOG_LEVEL', /"loud"/);
  });
});

describe('loadConfig: KSPAN_NICE', () => {
  it('defaults to 10, below the applications kspan observes', () => {
    assert.equal(load(EXACT_FILE).config.nice, 10);
    assert.equal(load(EXACT_FILE, { KSPAN_NICE: ' ' }).config.nice, 10);
  });

  it('takes any nice value', () => {
    assert.equal(load(EXACT_FILE, { KSPAN_NICE: '0' }).config.nice, 0);
    assert.equal(load(EXACT_FILE, { KSPAN_NICE: '-5' }).config.nice, -5);
    assert.equal(load(EXACT_FILE, { KSPAN_NICE: '19' }).config.nice, 19);
  });

  it('rejects what is not a nice value, naming the variable', () => {
    for (const bad of ['20', '-21', 'low', '1.5', '0x5']) {
      assertConfigError(() => load(EXACT_FILE, { KSPAN_NICE: bad }), 'KSPAN_NICE', /-20 to 19/);
    }
  });
});
