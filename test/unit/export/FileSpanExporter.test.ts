import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { FileSpanExporter } from '../../../src/export/exporters/FileSpanExporter';
import { TraceExportPipeline } from '../../../src/export/TraceExportPipeline';
import { NGINX_PROC, NODE_PROC, makeSpan, pipelineConfig, recordingLogger, tempDir } from './helpers';
import { variedSpans } from './otlpFixtures';

interface OtlpAttr {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttr[];
  status: { code: number; message?: string };
  flags: number;
}
interface OtlpResourceSpans {
  resource: { attributes: OtlpAttr[] };
  scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
}

function attrs(list: OtlpAttr[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue ?? value.doubleValue);
  }
  return out;
}

async function readLines(path: string): Promise<Array<{ resourceSpans: OtlpResourceSpans[] }>> {
  const text = await readFile(path, 'utf8');
  assert.ok(text.endsWith('\n'), 'every line is newline-terminated');
  return text
    .trimEnd()
    .split('\n')
    .map(line => JSON.parse(line) as { resourceSpans: OtlpResourceSpans[] });
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

test('file exporter writes OTLP/JSON with exact ids, per-process resources and nanosecond times', async () => {
  const dir = await tempDir();
  const path = join(dir, 'nested', 'deeper', 'spans.jsonl');
  const pipeline = new TraceExportPipeline(pipelineConfig([{ type: 'file', name: 'file', path }]), undefined, {
    agentVersion: '0.1.0',
    hostName: 'test-host',
  });
  const server = makeSpan({ traceId: TRACE, spanId: '00f067aa0ba902b7', status: { code: 'ERROR', message: 'upstream reset' } });
  const child = makeSpan({
    traceId: TRACE,
    spanId: '1111111111111111',
    parentSpanId: '00f067aa0ba902b7',
    name: 'runqueue wait',
    kind: 'INTERNAL',
    startTimeUnixNano: 1_700_000_000_123_500_001n,
    endTimeUnixNano: 1_700_000_000_161_500_999n,
    attributes: { 'thread.id': 4243, 'kernel.cpu': 3 },
  });
  const client = makeSpan({
    traceId: TRACE,
    spanId: '2222222222222222',
    parentSpanId: 'a3ce929d0e0e4736',
    parentIsRemote: true,
    name: 'GET',
    kind: 'CLIENT',
    process: NGINX_PROC,
  });
  for (const s of [server, child, client]) assert.equal(pipeline.export(s), true);
  await pipeline.forceFlush();

  const lines = await readLines(path);
  assert.equal(lines.length, 1, 'one line per export call');
  const request = lines[0]!;
  assert.equal(request.resourceSpans.length, 2, 'two processes, two resources');

  const byPid = new Map(request.resourceSpans.map(rs => [attrs(rs.resource.attributes)['process.pid'], rs]));
  const nodeRs = byPid.get(NODE_PROC.pid)!;
  const nginxRs = byPid.get(NGINX_PROC.pid)!;
  assert.deepEqual(attrs(nodeRs.resource.attributes), {
    'service.name': 'users-api',
    'process.pid': 4242,
    'process.executable.name': 'node',
    'process.executable.path': '/usr/bin/node',
    'host.name': 'test-host',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': attrs(nodeRs.resource.attributes)['telemetry.sdk.version'],
    'telemetry.distro.name': 'kspan',
    'telemetry.distro.version': '0.1.0',
  });
  const nginxAttrs = attrs(nginxRs.resource.attributes);
  assert.equal(nginxAttrs['service.name'], 'nginx');
  assert.equal(nginxAttrs['process.executable.name'], 'nginx');
  assert.ok(!('process.executable.path' in nginxAttrs), 'path only when known');
  assert.ok(!('process.runtime.name' in nginxAttrs), 'the agent runtime is not the traced process runtime');

  const nodeSpans = nodeRs.scopeSpans.flatMap(s => s.spans);
  assert.equal(nodeRs.scopeSpans[0]!.scope.name, 'kspan');
  const [otlpServer, otlpChild] = [nodeSpans.find(s => s.kind === 2)!, nodeSpans.find(s => s.kind === 1)!];
  const otlpClient = nginxRs.scopeSpans[0]!.spans[0]!;

  // Ids: hex, exactly as given (not base64, not regenerated).
  assert.equal(otlpServer.traceId, TRACE);
  assert.equal(otlpServer.spanId, '00f067aa0ba902b7');
  assert.equal(otlpServer.parentSpanId ?? '', '');
  assert.equal(otlpChild.traceId, TRACE);
  assert.equal(otlpChild.spanId, '1111111111111111');
  assert.equal(otlpChild.parentSpanId, '00f067aa0ba902b7');
  assert.equal(otlpClient.kind, 3);
  assert.equal(otlpClient.spanId, '2222222222222222');
  assert.equal(otlpClient.parentSpanId, 'a3ce929d0e0e4736');

  // Times survive to the nanosecond (bigint -> HrTime, never through a double).
  assert.equal(otlpServer.startTimeUnixNano, '1700000000123456789');
  assert.equal(otlpServer.endTimeUnixNano, '1700000000135802467');
  assert.equal(otlpChild.startTimeUnixNano, '1700000000123500001');
  assert.equal(otlpChild.endTimeUnixNano, '1700000000161500999');

  // W3C sampled flag plus OTLP's "parent is remote" bits.
  assert.equal(otlpServer.flags, 0x101);
  assert.equal(otlpChild.flags, 0x101);
  assert.equal(otlpClient.flags, 0x301);

  assert.deepEqual(otlpServer.status, { code: 2, message: 'upstream reset' });
  assert.equal(otlpServer.name, 'GET /users');
  assert.deepEqual(attrs(otlpServer.attributes), {
    'http.request.method': 'GET',
    'url.path': '/users',
    'http.response.status_code': 200,
    'server.port': 8080,
  });
  assert.deepEqual(attrs(otlpChild.attributes), { 'thread.id': 4243, 'kernel.cpu': 3 });

  // A second export call is a second line.
  pipeline.export(makeSpan({ spanId: '3333333333333333' }));
  await pipeline.forceFlush();
  const again = await readLines(path);
  assert.equal(again.length, 2);
  assert.equal(again[1]!.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.spanId, '3333333333333333');

  await pipeline.shutdown();
  assert.deepEqual(pipeline.exportFailures, {});
});

test('file exporter appends to an existing file', async () => {
  const dir = await tempDir();
  const path = join(dir, 'spans.jsonl');
  await writeFile(path, '{"resourceSpans":[]}\n');
  const pipeline = new TraceExportPipeline(pipelineConfig([{ type: 'file', name: 'file', path }]));
  pipeline.export(makeSpan());
  await pipeline.shutdown();
  const lines = await readLines(path);
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0], { resourceSpans: [] });
  assert.equal(lines[1]!.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.spanId, 'b7ad6b7169203331');
});

test('a file write error is counted and logged, never thrown', async () => {
  const dir = await tempDir();
  const blocker = join(dir, 'not-a-dir');
  await writeFile(blocker, 'x');
  const logger = recordingLogger();
  const pipeline = new TraceExportPipeline(
    pipelineConfig([{ type: 'file', name: 'file/broken', path: join(blocker, 'spans.jsonl') }]),
    logger.log,
  );
  pipeline.export(makeSpan());
  await pipeline.forceFlush();
  pipeline.export(makeSpan({ spanId: '4444444444444444' }));
  await pipeline.forceFlush();
  assert.deepEqual(pipeline.exportFailures, { 'file/broken': 2 });
  const warnings = logger.lines.filter(l => l.level === 'warn');
  assert.equal(warnings.length, 1, 'one log line for the outage, not one per batch');
  assert.match(warnings[0]!.msg, /file\/broken/);
  await pipeline.shutdown();
});

test('file exporter lines are the SDK JSON serializer output, byte for byte', async () => {
  const dir = await tempDir();
  const path = join(dir, 'sdk-equal.jsonl');
  const exporter = new FileSpanExporter(path);
  const spans = variedSpans();
  const result = await new Promise<ExportResult>(resolve => exporter.export(spans, resolve));
  assert.equal(result.code, ExportResultCode.SUCCESS);
  await exporter.shutdown();
  const expected = Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8');
  assert.equal(await readFile(path, 'utf8'), `${expected}\n`);
});
