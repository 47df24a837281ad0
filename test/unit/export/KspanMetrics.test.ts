import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import { KspanMetrics } from '../../../src/export/KspanMetrics';
import { MetricsPipeline } from '../../../src/export/MetricsPipeline';
import { makeSpan } from './helpers';

/** Record, collect once (forceFlush), and return the data points by metric name. */
async function collect(
  record: (m: KspanMetrics) => void,
  afterCollect: () => void = () => {},
): Promise<Map<string, DataPoint<Histogram | number>[]>> {
  const memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const pipeline = new MetricsPipeline(
    { exporters: [{ type: 'console', name: 'memory' }], batch: { timeoutMs: 1, sendBatchSize: 1, maxQueueSize: 1 }, intervalMs: 60_000 },
    undefined,
    { exporterFactory: () => memory },
  );
  record(new KspanMetrics(pipeline.meter));
  await pipeline.forceFlush();
  afterCollect();
  const out = new Map<string, DataPoint<Histogram | number>[]>();
  for (const rm of memory.getMetrics()) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) out.set(m.descriptor.name, m.dataPoints as DataPoint<Histogram | number>[]);
    }
  }
  await pipeline.shutdown();
  return out;
}

test('recordSpan: SERVER/CLIENT HTTP spans become duration histograms with semconv attributes', async () => {
  const points = await collect(m => {
    m.recordSpan(makeSpan());
    m.recordSpan(makeSpan({ attributes: { 'http.request.method': 'BREW', 'http.response.status_code': 500 } }));
    m.recordSpan(makeSpan({ kind: 'CLIENT', attributes: { 'http.request.method': 'GET', 'http.response.status_code': 404, 'server.port': 80 } }));
    m.recordSpan(
      makeSpan({
        kind: 'CLIENT',
        attributes: { 'http.request.method': 'GET', 'error.type': 'ECONNRESET' },
        status: { code: 'ERROR', message: 'connection reset' },
      }),
    );
    m.recordSpan(makeSpan({ kind: 'INTERNAL', name: 'runqueue wait' })); // not a request
    m.recordSpan(makeSpan({ attributes: { 'rpc.system': 'grpc' } })); // no HTTP method: rpc metrics, not these
  });
  const server = points.get('http.server.request.duration')!;
  const client = points.get('http.client.request.duration')!;
  assert.equal(server.length, 2);
  assert.equal(client.length, 2);
  const ok = server.find(p => p.attributes['http.response.status_code'] === 200)!;
  assert.deepEqual(ok.attributes, {
    'service.name': 'users-api',
    'http.request.method': 'GET',
    'http.response.status_code': 200,
    'server.port': 8080,
  });
  const h = ok.value as Histogram;
  assert.equal(h.count, 1);
  assert.ok(Math.abs(h.sum! - 0.012345678) < 1e-12);
  const failed = server.find(p => p.attributes['http.response.status_code'] === 500)!;
  assert.equal(failed.attributes['http.request.method'], '_OTHER', 'unknown methods cannot explode cardinality');
  assert.equal(failed.attributes['error.type'], '500');
  assert.equal(client.find(p => p.attributes['http.response.status_code'] === 404)!.attributes['error.type'], '404');
  assert.equal(client.find(p => p.attributes['http.response.status_code'] === undefined)!.attributes['error.type'], 'ECONNRESET');
});

test('event counters read the registered source once per collection; own counters count', async () => {
  let calls = 0;
  let callsAtFirstCollection = 0;
  const points = await collect(m => {
    m.setEventCountersSource(() => {
      calls++;
      return [
        { family: 'sockets', received: 10 },
        { family: 'sockets', reason: 'ringbuf_full', lost: 2 },
        { family: 'sockets', lost: 1 },
      ];
    });
    m.addSpansExported(3, 'file');
    m.addSpansExported(0, 'file');
    m.addParseErrors(2, 'http1');
  }, () => (callsAtFirstCollection = calls));
  assert.equal(callsAtFirstCollection, 1, 'one read feeds both observable counters');
  assert.deepEqual(points.get('kspan.events.received')!.map(p => [p.attributes, p.value]), [[{ family: 'sockets' }, 10]]);
  assert.deepEqual(
    points.get('kspan.events.lost')!.map(p => [p.attributes, p.value]),
    [
      [{ family: 'sockets', reason: 'ringbuf_full' }, 2],
      [{ family: 'sockets', reason: 'unknown' }, 1],
    ],
  );
  assert.deepEqual(points.get('kspan.spans.exported')!.map(p => [p.attributes, p.value]), [[{ exporter: 'file' }, 3]]);
  assert.deepEqual(points.get('kspan.parse.errors')!.map(p => [p.attributes, p.value]), [[{ protocol: 'http1' }, 2]]);
});

test('without a metrics pipeline every method is a no-op', () => {
  const metrics = new KspanMetrics();
  metrics.setEventCountersSource(() => {
    throw new Error('never read by a no-op meter');
  });
  metrics.recordSpan(makeSpan());
  metrics.addSpansExported(1, 'otlp');
  metrics.addParseErrors(1, 'http1', 'bad');
});
