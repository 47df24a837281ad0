import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { DurationHistogramProducer } from '../../../src/export/DurationHistogramProducer';

test('DurationHistogramProducer: inclusive upper bounds, overflow bucket, min/max, cumulative across collections', async () => {
  const p = new DurationHistogramProducer([0.01, 0.1], { name: 'kspan', version: '1.2.3' });
  const server = p.define('http.server.request.duration', 'server');
  p.define('http.client.request.duration', 'client'); // never recorded: not collected
  let built = 0;
  const attrs = () => { built++; return { 'service.name': 'a' }; };
  for (const v of [0.01, 0.005, 0.1, 0.2, 5]) p.record(server, v, 'a', attrs);
  p.record(server, 0.05, 'b', () => ({ 'service.name': 'b' }));
  assert.equal(built, 1, 'attributes are built once per series');

  let r = await p.collect();
  assert.deepEqual(r.resourceMetrics.scopeMetrics[0].scope, { name: 'kspan', version: '1.2.3' });
  const metrics = r.resourceMetrics.scopeMetrics[0].metrics;
  assert.deepEqual(metrics.map((m) => m.descriptor.name), ['http.server.request.duration']);
  assert.equal(metrics[0].aggregationTemporality, AggregationTemporality.CUMULATIVE);
  const a = metrics[0].dataPoints.find((d) => d.attributes['service.name'] === 'a')!.value as Histogram;
  assert.deepEqual(a.buckets, { boundaries: [0.01, 0.1], counts: [2, 1, 2] });
  assert.equal(a.count, 5);
  assert.ok(Math.abs(a.sum! - 5.315) < 1e-12);
  assert.equal(a.min, 0.005);
  assert.equal(a.max, 5);

  p.record(server, 0.001, 'a', attrs);
  r = await p.collect();
  const again = r.resourceMetrics.scopeMetrics[0].metrics[0].dataPoints.find((d) => d.attributes['service.name'] === 'a')!.value as Histogram;
  assert.deepEqual(again.buckets.counts, [3, 1, 2], 'cumulative: the second collection includes the first');
  assert.equal(again.min, 0.001);
});

test('DurationHistogramProducer: nothing recorded, nothing collected', async () => {
  const p = new DurationHistogramProducer([1], { name: 'kspan' });
  p.define('x', 'x');
  assert.deepEqual((await p.collect()).resourceMetrics.scopeMetrics, []);
});
