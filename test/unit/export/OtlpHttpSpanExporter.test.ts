import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpHttpSpanExporter } from '../../../src/export/exporters/OtlpHttpSpanExporter';
import { variedSpans } from './otlpFixtures';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Records each POST; answers the first `failFirst` with 503 (retryable), the rest with an empty response. */
async function startReceiver(failFirst = 0): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  let failures = failFirst;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (failures > 0) {
        failures--;
        res.writeHead(503, { 'retry-after': '0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    received,
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise(resolve => exporter.export(spans, resolve));
}

function body(r: Received): Buffer {
  return r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;
}

/** Headers that must not differ between the SDK's exporter and ours (the user agent carries a package version). */
function comparable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { host: _host, 'user-agent': agent, 'content-length': _length, ...rest } = headers;
  return { ...rest, 'user-agent': String(agent).replace(/\/[\d.]+$/, '/x') };
}

for (const compression of [CompressionAlgorithm.NONE, CompressionAlgorithm.GZIP]) {
  test(`otlphttp exporter sends what the SDK's OTLPTraceExporter sends (compression ${compression})`, async () => {
    const receiver = await startReceiver();
    const config = { url: receiver.url, headers: { 'x-scope-orgid': 'tenant-1' }, timeoutMillis: 2000, compression };
    const sdk = new OTLPTraceExporter(config);
    const ours = new OtlpHttpSpanExporter(config);
    try {
      const spans = variedSpans();
      assert.equal((await exportOnce(sdk, spans)).code, ExportResultCode.SUCCESS);
      assert.equal((await exportOnce(ours, spans)).code, ExportResultCode.SUCCESS);
      assert.equal(receiver.received.length, 2);
      const [fromSdk, fromOurs] = receiver.received as [Received, Received];
      assert.equal(fromOurs.url, '/v1/traces');
      assert.deepEqual(comparable(fromOurs.headers), comparable(fromSdk.headers));
      assert.equal(fromOurs.headers['x-scope-orgid'], 'tenant-1');
      assert.deepEqual(JSON.parse(body(fromOurs).toString('utf8')), JSON.parse(body(fromSdk).toString('utf8')));
      assert.equal(body(fromOurs).toString('utf8'), body(fromSdk).toString('utf8'));
    } finally {
      await sdk.shutdown();
      await ours.shutdown();
      await receiver.close();
    }
  });
}

test('otlphttp exporter retries a 503 like the SDK exporter', async () => {
  const receiver = await startReceiver(1);
  const ours = new OtlpHttpSpanExporter({ url: receiver.url, timeoutMillis: 10_000 });
  try {
    const result = await exportOnce(ours, variedSpans());
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(receiver.received.length, 2);
    assert.deepEqual(receiver.received[0]!.body, receiver.received[1]!.body);
  } finally {
    await ours.shutdown();
    await receiver.close();
  }
});

test('otlphttp exporter reports failure when nothing listens, within its timeout', async () => {
  const receiver = await startReceiver();
  const url = receiver.url;
  await receiver.close();
  const ours = new OtlpHttpSpanExporter({ url, timeoutMillis: 1000 });
  try {
    const started = Date.now();
    const result = await exportOnce(ours, variedSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.ok(Date.now() - started < 5000);
  } finally {
    await ours.shutdown();
  }
});
