import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import { KspanMetrics, MAX_RPC_METHODS } from '../../../src/export/KspanMetrics';
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
  record(new KspanMetrics(pipeline.meter, pipeline.requestDurations));
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

test('recordSpan: gRPC spans become rpc.server/client.duration, not HTTP durations; method cardinality is bounded', async () => {
  const grpc = (kind: 'SERVER' | 'CLIENT', method: string, code?: number) => makeSpan({
    kind,
    name: `kspan.test.Echo/${method}`,
    attributes: {
      'http.request.method': 'POST', 'http.response.status_code': 200, 'rpc.system': 'grpc', 'rpc.service': 'kspan.test.Echo', 'rpc.method': method,
      ...(code === undefined ? {} : { 'rpc.grpc.status_code': code }),
    },
  });
  const points = await collect(m => {
    m.recordSpan(grpc('SERVER', 'Say', 0));
    m.recordSpan(grpc('SERVER', 'Say', 5));
    m.recordSpan(grpc('CLIENT', 'Say', 5));
    m.recordSpan(grpc('CLIENT', 'SayMany'));
    for (let i = 0; i < MAX_RPC_METHODS + 5; i++) m.recordSpan(grpc('SERVER', `Random${i}`, 12));
    m.recordSpan(makeSpan({ attributes: { 'http.request.method': 'GET', 'network.protocol.version': '2', 'http.response.status_code': 200 } })); // plain HTTP/2
  });
  const server = points.get('rpc.server.duration')!;
  const client = points.get('rpc.client.duration')!;
  assert.deepEqual(server.find(p => p.attributes['rpc.method'] === 'Say' && p.attributes['rpc.grpc.status_code'] === 5)!.attributes, {
    'service.name': 'users-api', 'rpc.system': 'grpc', 'rpc.service': 'kspan.test.Echo', 'rpc.method': 'Say', 'rpc.grpc.status_code': 5,
  });
  assert.equal((server.find(p => p.attributes['rpc.method'] === 'Say' && p.attributes['rpc.grpc.status_code'] === 0)!.value as Histogram).count, 1);
  assert.equal(client.length, 2);
  assert.equal(client.find(p => p.attributes['rpc.method'] === 'SayMany')!.attributes['rpc.grpc.status_code'], undefined);
  const other = server.find(p => p.attributes['rpc.method'] === '_OTHER')!;
  // Say and SayMany took two of the MAX_RPC_METHODS places.
  assert.equal((other.value as Histogram).count, MAX_RPC_METHODS + 5 - (MAX_RPC_METHODS - 2), 'past the bound, new methods are _OTHER');
  assert.equal(other.attributes['rpc.service'], '_OTHER');
  assert.equal(points.get('http.server.request.duration')!.length, 1, 'only the plain HTTP/2 span');
  assert.equal(points.get('http.client.request.duration'), undefined);
});
