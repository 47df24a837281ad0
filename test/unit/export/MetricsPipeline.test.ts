import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConsoleMetricExporter } from '../../../src/export/exporters/ConsoleMetricExporter';
import { unitSuffix } from '../../../src/export/exporters/prometheusUnits';
import { KspanMetrics } from '../../../src/export/KspanMetrics';
import { MetricsPipeline } from '../../../src/export/MetricsPipeline';
import type { MetricsPipelineConfig } from '../../../src/export/MetricsPipeline';
import type { ExporterConfig } from '../../../src/config/types';
import { freePort, makeSpan, recordingLogger, tempDir } from './helpers';

function metricsConfig(exporters: ExporterConfig[]): MetricsPipelineConfig {
  // A long interval: the tests collect with forceFlush() or a scrape.
  return { exporters, batch: { timeoutMs: 1000, sendBatchSize: 512, maxQueueSize: 2048 }, intervalMs: 60_000 };
}

test('prometheus endpoint serves http_server_request_duration_seconds after recordSpan', async () => {
  const logger = recordingLogger();
  // Port 0: our endpoint reports the port it really bound, so no free-port race.
  const pipeline = new MetricsPipeline(
    metricsConfig([{ type: 'prometheus', name: 'prometheus', host: '127.0.0.1', port: 0 }]),
    logger.log,
  );
  try {
    await pipeline.ready;
    assert.equal(pipeline.prometheusUrls.length, 1);
    const url = pipeline.prometheusUrls[0]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.ok(logger.lines.some(l => l.level === 'info' && l.msg.includes(url)), 'the URL is logged');

    const metrics = new KspanMetrics(pipeline.meter, pipeline.requestDurations);
    metrics.recordSpan(makeSpan()); // 12.3 ms GET 200
    metrics.recordSpan(makeSpan({ attributes: { 'http.request.method': 'GET', 'http.response.status_code': 503, 'server.port': 8080 } }));
    metrics.recordSpan(makeSpan({ kind: 'CLIENT', attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201, 'server.port': 443 } }));
    metrics.setEventCountersSource(() => [
      { family: 'sockets', received: 1234 },
      { family: 'sockets', reason: 'ringbuf_full', lost: 3 },
    ]);

    const response = await fetch(url);
    assert.equal(response.status, 200);
    const body = await response.text();
    assert.match(body, /# TYPE http_server_request_duration_seconds histogram/);
    const bucket = (extra: string, le: string): RegExp =>
      new RegExp(`http_server_request_duration_seconds_bucket\\{service_name="users-api",http_request_method="GET",${extra}[^}]*le="${le}"\\} (\\d+)`);
    assert.equal(body.match(bucket('http_response_status_code="200",server_port="8080",', '0.01'))?.[1], '0');
    assert.equal(body.match(bucket('http_response_status_code="200",server_port="8080",', '0.025'))?.[1], '1');
    assert.match(body, /http_server_request_duration_seconds_count\{[^}]*http_response_status_code="503"[^}]*error_type="503"[^}]*\} 1/);
    assert.match(body, /http_client_request_duration_seconds_count\{[^}]*http_request_method="POST"[^}]*\} 1/);
    assert.match(body, /kspan_events_received_total\{family="sockets"[^}]*\} 1234/);
    assert.match(body, /kspan_events_lost_total\{family="sockets",reason="ringbuf_full"[^}]*\} 3/);
    assert.equal((await fetch(url.replace('/metrics', '/other'))).status, 404);
  } finally {
    await pipeline.shutdown();
    await pipeline.shutdown();
  }
});

test('a prometheus port already in use is a clear error, not a crash', async () => {
  const blocker = createServer();
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as AddressInfo;
  const logger = recordingLogger();
  const dir = await tempDir();
  const path = join(dir, 'metrics.jsonl');
  const pipeline = new MetricsPipeline(
    metricsConfig([
      { type: 'prometheus', name: 'prometheus', host: '127.0.0.1', port },
      { type: 'file', name: 'file', path },
    ]),
    logger.log,
  );
  try {
    await pipeline.ready;
    assert.deepEqual(pipeline.prometheusUrls, []);
    const errors = logger.lines.filter(l => l.level === 'error');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.msg, new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
    // The rest of the metrics pipeline still works.
    new KspanMetrics(pipeline.meter, pipeline.requestDurations).recordSpan(makeSpan());
    await pipeline.forceFlush();
    assert.match(await readFile(path, 'utf8'), /http\.server\.request\.duration/);
  } finally {
    await pipeline.shutdown();
    await new Promise(resolve => blocker.close(resolve));
  }
});

test('file metric exporter writes OTLP/JSON ExportMetricsServiceRequest lines', async () => {
  const dir = await tempDir();
  const path = join(dir, 'sub', 'metrics.jsonl');
  const pipeline = new MetricsPipeline(metricsConfig([{ type: 'file', name: 'file', path }]), undefined, {
    agentVersion: '0.1.0',
    hostName: 'test-host',
  });
  const metrics = new KspanMetrics(pipeline.meter, pipeline.requestDurations);
  metrics.recordSpan(makeSpan());
  metrics.addSpansExported(7, 'otlp');
  await pipeline.forceFlush();
  await pipeline.shutdown();

  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  assert.ok(lines.length >= 1);
  const request = JSON.parse(lines[0]!) as {
    resourceMetrics: Array<{
      resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
      scopeMetrics: Array<{
        scope: { name: string };
        metrics: Array<{ name: string; unit: string; histogram?: { dataPoints: Array<{ count: string | number; explicitBounds: number[] }> } }>;
      }>;
    }>;
  };
  const rm = request.resourceMetrics[0]!;
  const resource = Object.fromEntries(rm.resource.attributes.map(a => [a.key, a.value.stringValue]));
  assert.equal(resource['service.name'], 'kspan');
  assert.equal(resource['host.name'], 'test-host');
  assert.equal(rm.scopeMetrics[0]!.scope.name, 'kspan');
  const byName = new Map(rm.scopeMetrics.flatMap(s => s.metrics).map(m => [m.name, m]));
  const duration = byName.get('http.server.request.duration')!;
  assert.equal(duration.unit, 's');
  assert.equal(Number(duration.histogram!.dataPoints[0]!.count), 1);
  assert.deepEqual(duration.histogram!.dataPoints[0]!.explicitBounds, [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
  assert.ok(byName.has('kspan.spans.exported'));
  assert.deepEqual(pipeline.exportFailures, {});
});

test('console metric exporter prints a compact line per data point', async () => {
  const out: string[] = [];
  const pipeline = new MetricsPipeline(metricsConfig([{ type: 'console', name: 'console' }]), undefined, {
    exporterFactory: () => new ConsoleMetricExporter(line => out.push(line)),
  });
  const metrics = new KspanMetrics(pipeline.meter, pipeline.requestDurations);
  metrics.recordSpan(makeSpan());
  metrics.setEventCountersSource(() => [{ family: 'sockets', received: 42 }]);
  await pipeline.forceFlush();
  await pipeline.shutdown();
  assert.ok(
    out.some(l => /^metric http\.server\.request\.duration\{service\.name=users-api,http\.request\.method=GET,.*\} count=1 sum=0\.0123457s$/.test(l)),
    out.join('\n'),
  );
  assert.ok(out.includes('metric kspan.events.received{family=sockets} 42'), out.join('\n'));
});

test('unit suffixes follow the OTel Prometheus compatibility rules', () => {
  assert.equal(unitSuffix('s'), 'seconds');
  assert.equal(unitSuffix('By'), 'bytes');
  assert.equal(unitSuffix('By/s'), 'bytes_per_second');
  assert.equal(unitSuffix('1/s'), 'per_second');
  assert.equal(unitSuffix('{event}'), '');
  assert.equal(unitSuffix('1'), '');
  assert.equal(unitSuffix(''), '');
});

test('otlphttp metrics are POSTed to <endpoint>/v1/metrics as OTLP/JSON', async () => {
  const bodies: Array<{ url: string; body: string }> = [];
  const receiver = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  const pipeline = new MetricsPipeline(
    metricsConfig([
      { type: 'otlphttp', name: 'otlphttp', endpoint: `http://127.0.0.1:${port}`, insecure: true, headers: {}, timeoutMs: 2000 },
    ]),
  );
  try {
    new KspanMetrics(pipeline.meter, pipeline.requestDurations).recordSpan(makeSpan());
    await pipeline.forceFlush();
    assert.deepEqual(pipeline.exportFailures, {});
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0]!.url, '/v1/metrics');
    assert.match(bodies[0]!.body, /"resourceMetrics"/);
    assert.match(bodies[0]!.body, /"http\.server\.request\.duration"/);
  } finally {
    await pipeline.shutdown();
    receiver.closeAllConnections();
    await new Promise(resolve => receiver.close(resolve));
  }
});

test('an unreachable OTLP/gRPC metrics endpoint is counted and never throws', async () => {
  const port = await freePort();
  const logger = recordingLogger();
  const pipeline = new MetricsPipeline(
    metricsConfig([{ type: 'otlp', name: 'otlp', endpoint: `127.0.0.1:${port}`, insecure: true, headers: {}, timeoutMs: 300 }]),
    logger.log,
  );
  new KspanMetrics(pipeline.meter, pipeline.requestDurations).recordSpan(makeSpan());
  await pipeline.forceFlush();
  assert.deepEqual(pipeline.exportFailures, { otlp: 1 });
  assert.equal(logger.lines.filter(l => l.level === 'warn').length, 1);
  await pipeline.shutdown();
});
