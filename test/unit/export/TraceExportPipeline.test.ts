import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { TraceExportPipeline } from '../../../src/export/TraceExportPipeline';
import { RecordingSpanExporter, freePort, makeSpan, pipelineConfig, recordingLogger } from './helpers';

/** Fails every export, as an unreachable backend does. */
class FailingExporter implements SpanExporter {
  shutdowns = 0;
  export(_spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    setImmediate(() => done({ code: ExportResultCode.FAILED, error: new Error('connection refused') }));
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

test('one slow or failing exporter does not hold back the others', async () => {
  const memory = new RecordingSpanExporter();
  const failing = new FailingExporter();
  const pipeline = new TraceExportPipeline(
    pipelineConfig([
      { type: 'console', name: 'broken' },
      { type: 'file', name: 'memory', path: '/unused' },
    ]),
    undefined,
    { exporterFactory: c => (c.name === 'broken' ? failing : memory) },
  );
  pipeline.export(makeSpan());
  await pipeline.forceFlush();
  assert.equal(memory.spans.length, 1);
  assert.deepEqual(pipeline.exportFailures, { broken: 1 });
  await pipeline.shutdown();
  assert.equal(failing.shutdowns, 1, 'exporter shut down even though its last flush failed');
});

test('export failures are counted per exporter and logged once per N', async () => {
  const logger = recordingLogger();
  const results: Array<[string, number, boolean]> = [];
  const pipeline = new TraceExportPipeline(pipelineConfig([{ type: 'console', name: 'otlp/down' }]), logger.log, {
    exporterFactory: () => new FailingExporter(),
    failureLogEvery: 10,
    onExportResult: (name, n, ok) => results.push([name, n, ok]),
  });
  for (let i = 0; i < 25; i++) {
    pipeline.export(makeSpan());
    await pipeline.forceFlush();
  }
  assert.deepEqual(pipeline.exportFailures, { 'otlp/down': 25 });
  // First failure of the outage, then the 10th and 20th.
  assert.equal(logger.lines.filter(l => l.level === 'warn').length, 3);
  assert.equal(results.length, 25);
  assert.deepEqual(results[0], ['otlp/down', 1, false]);
  await pipeline.shutdown();
});

test('providers are cached per process and bounded (LRU)', async () => {
  const memory = new RecordingSpanExporter();
  const pipeline = new TraceExportPipeline(pipelineConfig([{ type: 'console', name: 'memory' }]), undefined, {
    exporterFactory: () => memory,
    maxProviders: 2,
  });
  for (const pid of [1, 2, 1, 3, 1]) {
    pipeline.export(makeSpan({ process: { pid, serviceName: `svc-${pid}`, executableName: 'node' } }));
  }
  assert.equal(pipeline.providerCount, 2);
  await pipeline.forceFlush();
  const spans = memory.spans;
  assert.deepEqual(
    spans.map(s => s.resource.attributes['process.pid']),
    [1, 2, 1, 3, 1],
  );
  // pid 1 stayed hot, so its provider (and resource object) survived pid 3's arrival.
  assert.equal(spans[0]!.resource, spans[4]!.resource);
  // A reused pid running another executable is another process.
  pipeline.export(makeSpan({ process: { pid: 1, serviceName: 'svc-1', executableName: 'python3' } }));
  await pipeline.forceFlush();
  assert.equal(memory.spans[5]!.resource.attributes['process.executable.name'], 'python3');
  await pipeline.shutdown();
});

test('invalid ids are refused, not exported, and logged', async () => {
  const memory = new RecordingSpanExporter();
  const logger = recordingLogger();
  const pipeline = new TraceExportPipeline(pipelineConfig([{ type: 'console', name: 'memory' }]), logger.log, {
    exporterFactory: () => memory,
  });
  assert.equal(pipeline.export(makeSpan({ traceId: '00000000000000000000000000000000' })), false);
  assert.equal(pipeline.export(makeSpan({ spanId: 'nothex!!nothex!!' })), false);
  assert.equal(pipeline.rejectedSpans, 2);
  await pipeline.forceFlush();
  assert.equal(memory.spans.length, 0);
  assert.equal(logger.lines.length, 1);
  await pipeline.shutdown();
});

test('shutdown flushes, is idempotent, and later exports are refused quietly', async () => {
  const memory = new RecordingSpanExporter();
  const pipeline = new TraceExportPipeline(pipelineConfig([{ type: 'console', name: 'memory' }]), undefined, {
    exporterFactory: () => memory,
  });
  pipeline.export(makeSpan());
  const first = pipeline.shutdown();
  const second = pipeline.shutdown();
  assert.equal(first, second);
  await first;
  await pipeline.shutdown();
  assert.equal(memory.spans.length, 1, 'queued span flushed by shutdown');
  assert.equal(pipeline.export(makeSpan()), false);
  await pipeline.forceFlush();
});

test('a prometheus entry in the traces pipeline is ignored with a warning', async () => {
  const logger = recordingLogger();
  const pipeline = new TraceExportPipeline(
    pipelineConfig([{ type: 'prometheus', name: 'prometheus', host: '127.0.0.1', port: 9464 }]),
    logger.log,
  );
  assert.equal(pipeline.export(makeSpan()), true);
  await pipeline.shutdown();
  assert.equal(logger.lines.length, 1);
  assert.equal(logger.lines[0]!.level, 'warn');
});

test('an unreachable OTLP/gRPC endpoint is counted, logged once, and never throws', async () => {
  const port = await freePort();
  const logger = recordingLogger();
  const pipeline = new TraceExportPipeline(
    pipelineConfig([
      { type: 'otlp', name: 'otlp/closed', endpoint: `127.0.0.1:${port}`, insecure: true, headers: { 'x-tenant': 'a' }, timeoutMs: 300 },
    ]),
    logger.log,
  );
  for (let i = 0; i < 3; i++) {
    assert.equal(pipeline.export(makeSpan()), true);
    await pipeline.forceFlush();
  }
  assert.deepEqual(pipeline.exportFailures, { 'otlp/closed': 3 });
  const warnings = logger.lines.filter(l => l.level === 'warn');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.msg, /otlp\/closed/);
  await pipeline.shutdown();
  await pipeline.shutdown();
});
