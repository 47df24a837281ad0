import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceExportPipeline } from '../../../src/export/TraceExportPipeline';
import { otlpHttpUrl } from '../../../src/export/exporters/otlpEndpoint';
import { NODE_PROC, makeSpan, pipelineConfig } from './helpers';

interface OtlpResourceSpans {
  resource: { attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }> };
  scopeSpans: Array<{
    spans: Array<{
      traceId: string;
      spanId: string;
      parentSpanId?: string;
      name: string;
      kind: number;
      startTimeUnixNano: string;
      endTimeUnixNano: string;
    }>;
  }>;
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A minimal OTLP/HTTP receiver: records each POST and answers with an empty ExportTraceServiceResponse. */
async function startReceiver(): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('otlphttp delivers spans with our ids, times and resource to a real receiver', async () => {
  const receiver = await startReceiver();
  const pipeline = new TraceExportPipeline(
    pipelineConfig([
      {
        type: 'otlphttp',
        name: 'otlphttp',
        endpoint: `http://127.0.0.1:${receiver.port}`,
        insecure: true,
        headers: { 'x-scope-orgid': 'tenant-1' },
        timeoutMs: 2000,
      },
    ]),
  );
  try {
    pipeline.export(makeSpan());
    pipeline.export(
      makeSpan({ spanId: '1111111111111111', parentSpanId: 'b7ad6b7169203331', name: 'tcp retransmit', kind: 'INTERNAL', attributes: {} }),
    );
    await pipeline.forceFlush();
    assert.deepEqual(pipeline.exportFailures, {});
    assert.equal(receiver.received.length, 1);
    const request = receiver.received[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/traces');
    // exporter-trace-otlp-http speaks OTLP/HTTP with the JSON encoding (http/json).
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-scope-orgid'], 'tenant-1');

    const body = JSON.parse(request.body.toString('utf8')) as { resourceSpans: OtlpResourceSpans[] };
    assert.equal(body.resourceSpans.length, 1);
    const { resource, scopeSpans } = body.resourceSpans[0]!;
    const res = Object.fromEntries(resource.attributes.map(a => [a.key, a.value.stringValue ?? Number(a.value.intValue)]));
    assert.equal(res['service.name'], NODE_PROC.serviceName);
    assert.equal(res['process.pid'], NODE_PROC.pid);
    assert.equal(res['telemetry.distro.name'], 'kspan');
    const spans = scopeSpans.flatMap(s => s.spans);
    const server = spans.find(s => s.name === 'GET /users')!;
    const child = spans.find(s => s.name === 'tcp retransmit')!;
    assert.equal(server.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(server.spanId, 'b7ad6b7169203331');
    assert.equal(server.parentSpanId, undefined);
    assert.equal(server.kind, 2);
    assert.equal(server.startTimeUnixNano, '1700000000123456789');
    assert.equal(server.endTimeUnixNano, '1700000000135802467');
    assert.equal(child.parentSpanId, 'b7ad6b7169203331');
    assert.equal(child.kind, 1);
  } finally {
    await pipeline.shutdown();
    await receiver.close();
  }
});

test('otlphttp endpoint: base URL gets /v1/<signal>, a /v1/ path is kept', () => {
  assert.equal(otlpHttpUrl('http://collector:4318', 'traces', true), 'http://collector:4318/v1/traces');
  assert.equal(otlpHttpUrl('http://collector:4318/', 'metrics', true), 'http://collector:4318/v1/metrics');
  assert.equal(otlpHttpUrl('https://gw.example/otlp', 'traces', false), 'https://gw.example/otlp/v1/traces');
  assert.equal(otlpHttpUrl('http://collector:4318/v1/traces', 'traces', true), 'http://collector:4318/v1/traces');
  assert.equal(otlpHttpUrl('collector:4318', 'traces', true), 'http://collector:4318/v1/traces');
  assert.equal(otlpHttpUrl('collector:4318', 'traces', false), 'https://collector:4318/v1/traces');
});
