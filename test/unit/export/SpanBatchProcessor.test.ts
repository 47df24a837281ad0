import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanBatchProcessor } from '../../../src/export/SpanBatchProcessor';
import type { SpanBatchProcessorOptions } from '../../../src/export/SpanBatchProcessor';
import { JsonLinesFile } from '../../../src/export/exporters/JsonLinesFile';
import { toReadableSpan } from '../../../src/export/ReadableSpanBuilder';
import { makeSpan } from './helpers';

/** An exporter whose calls stay in flight until the test answers them. */
class HeldExporter implements SpanExporter {
  readonly calls: Array<{ spans: ReadableSpan[]; answer: (r: ExportResult) => void }> = [];
  shutdowns = 0;
  export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void {
    this.calls.push({ spans, answer: cb });
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
  answerAll(): void {
    for (const c of this.calls.splice(0)) c.answer({ code: ExportResultCode.SUCCESS });
  }
}

const resource = resourceFromAttributes({ 'service.name': 't' });
const span = (i: number) => toReadableSpan(makeSpan({ spanId: (i + 1).toString(16).padStart(16, '0') }), resource, { name: 'kspan' });
const options = (o: Partial<SpanBatchProcessorOptions> = {}): SpanBatchProcessorOptions => ({
  maxExportBatchSize: 10, maxQueueSize: 100, scheduledDelayMillis: 60_000, exportTimeoutMillis: 60_000, maxConcurrentExports: 3, ...o,
});

test('full batches go out at once, several in flight; past the queue bound spans are dropped and counted', async () => {
  const exporter = new HeldExporter();
  const p = new SpanBatchProcessor(exporter, options());
  for (let i = 0; i < 135; i++) p.onEnd(span(i));
  assert.equal(exporter.calls.length, 3, 'three exports in flight, not one');
  assert.deepEqual(exporter.calls.map((c) => c.spans.length), [10, 10, 10]);
  assert.equal(p.queueLength, 100, 'the queue holds its bound');
  assert.equal(p.dropped, 5);
  exporter.answerAll(); // each answer frees a slot for the next full batch
  assert.equal(exporter.calls.length, 3);
  const flushed = p.forceFlush();
  exporter.answerAll();
  await new Promise((r) => setImmediate(r));
  exporter.answerAll();
  await flushed;
  assert.equal(p.queueLength, 0);
  await p.shutdown();
  assert.equal(exporter.shutdowns, 1);
  p.onEnd(span(999));
  assert.equal(p.queueLength, 0, 'nothing is queued after shutdown');
});

test('a backlog goes out in bigger calls, up to maxBacklogBatchSize', async () => {
  const exporter = new HeldExporter();
  const p = new SpanBatchProcessor(exporter, options({ maxConcurrentExports: 1, maxBacklogBatchSize: 25 }));
  for (let i = 0; i < 60; i++) p.onEnd(span(i));
  assert.deepEqual(exporter.calls.map((c) => c.spans.length), [10], 'the first call leaves as soon as a batch is full');
  exporter.answerAll();
  assert.deepEqual(exporter.calls.map((c) => c.spans.length), [25], 'then the waiting backlog in one bigger call');
  exporter.answerAll();
  assert.deepEqual(exporter.calls.map((c) => c.spans.length), [25]);
  exporter.answerAll();
  assert.equal(p.queueLength, 0);
  await p.shutdown();
});

test('a partial batch waits for the scheduled delay; a hung export frees its slot at the timeout', async () => {
  const exporter = new HeldExporter();
  const p = new SpanBatchProcessor(exporter, options({ scheduledDelayMillis: 20, exportTimeoutMillis: 50, maxConcurrentExports: 1 }));
  p.onEnd(span(1));
  assert.equal(exporter.calls.length, 0);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(exporter.calls.length, 1, 'exported after the delay');
  for (let i = 0; i < 10; i++) p.onEnd(span(i + 10));
  assert.equal(exporter.calls.length, 1, 'the only slot is taken by the unanswered export');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(exporter.calls.length, 2, 'after the timeout the waiting batch goes out');
  exporter.answerAll();
  await p.shutdown();
});

test('JsonLinesFile: lines appended during a write are coalesced and keep their order', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-lines-'));
  try {
    const file = new JsonLinesFile(path.join(dir, 'sub', 'x.jsonl'));
    const writes = [];
    for (let i = 0; i < 500; i++) writes.push(file.append(Buffer.from(JSON.stringify({ i }))));
    await Promise.all(writes);
    writes.length = 0;
    for (let i = 500; i < 600; i++) writes.push(file.append(Buffer.from(JSON.stringify({ i }))));
    await file.close();
    await Promise.all(writes);
    const lines = fs.readFileSync(path.join(dir, 'sub', 'x.jsonl'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l).i), Array.from({ length: 600 }, (_, i) => i));
    await assert.rejects(file.append(Buffer.from('{}')), /shut down/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
