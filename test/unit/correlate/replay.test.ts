/**
 * The correlator on a recorded event stream: raw ring-buffer batches captured
 * by test/fixtures/correlate/record.ts from a real run (curl, node servers and
 * a node client on this kernel), replayed through the decoder.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { HttpCorrelator } from '../../../src/correlate/HttpCorrelator';
import { KspanSpan } from '../../../src/correlate/span';
import { BatchRecorder } from '../../../src/receivers/bpf/BatchRecorder';
import { MonotonicClock } from '../../../src/receivers/MonotonicClock';
import { SocketEventDecoder } from '../../../src/receivers/sockets/SocketEventDecoder';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'correlate');
const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'chain.json'), 'utf8')) as {
  frontendPort: number; backendPort: number; traceparent: string;
};

function replay(batches: Buffer[]): { spans: KspanSpan[]; correlator: HttpCorrelator; decoder: SocketEventDecoder } {
  const spans: KspanSpan[] = [];
  const clock = new MonotonicClock();
  const correlator = new HttpCorrelator(clock, (pid, comm) => ({ pid, serviceName: comm ?? 'unknown', executableName: comm ?? 'unknown' }),
    (s) => spans.push(s), { holdMs: 0, redactQuery: true });
  const decoder = new SocketEventDecoder(clock, correlator);
  for (const b of batches) decoder.decodeBatch(b);
  correlator.flush(true);
  return { spans, correlator, decoder };
}

const batches = BatchRecorder.read(path.join(FIXTURES, 'chain.batches'));

test('recorded chain: curl → frontend → backend is one trace with the right parents', () => {
  const { spans } = replay(batches);
  const serverOn = (port: number, p: string) => spans.filter((s) => s.kind === 'SERVER' && s.attributes['server.port'] === port && s.attributes['url.path'] === p);
  const [front] = serverOn(meta.frontendPort, '/call');
  assert.ok(front, 'frontend SERVER span');
  const curl = spans.find((s) => s.spanId === front.parentSpanId)!;
  assert.equal(curl.kind, 'CLIENT');
  assert.equal(curl.process.serviceName, 'curl');
  assert.equal(curl.parentSpanId, undefined);
  const frontClient = spans.find((s) => s.kind === 'CLIENT' && s.parentSpanId === front.spanId)!;
  assert.ok(frontClient, 'frontend CLIENT child of its SERVER span (same thread)');
  assert.equal(frontClient.attributes['server.port'], meta.backendPort);
  const back = spans.find((s) => s.kind === 'SERVER' && s.parentSpanId === frontClient.spanId)!;
  assert.ok(back, 'backend SERVER stitched to the frontend CLIENT');
  for (const s of [front, frontClient, back]) assert.equal(s.traceId, curl.traceId);
  assert.ok(back.startTimeUnixNano >= frontClient.startTimeUnixNano);
  assert.ok(back.endTimeUnixNano <= frontClient.endTimeUnixNano);
});

test('recorded keep-alive client: three requests paired in order with their server spans', () => {
  const { spans } = replay(batches);
  const clients = spans.filter((s) => s.kind === 'CLIENT' && s.process.serviceName === 'node' && s.attributes['server.port'] === meta.backendPort && s.parentSpanId === undefined)
    .sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
  assert.deepEqual(clients.map((c) => c.attributes['http.response.status_code']), [200, 404, 200]);
  assert.deepEqual(clients.map((c) => String(c.attributes['url.full']).replace(/^http:\/\/[^/]+/, '')), ['/hello', '/status/404', '/chunked']);
  for (const c of clients) {
    const children = spans.filter((s) => s.parentSpanId === c.spanId);
    assert.equal(children.length, 1);
    assert.equal(children[0].attributes['http.response.status_code'], c.attributes['http.response.status_code']);
  }
});

test('recorded traceparent: curl\'s CLIENT span joins the header\'s trace, the server follows', () => {
  const { spans } = replay(batches);
  const [, traceId, spanId] = meta.traceparent.split('-');
  const joined = spans.filter((s) => s.traceId === traceId);
  assert.equal(joined.length, 2);
  const client = joined.find((s) => s.kind === 'CLIENT')!;
  assert.equal(client.parentSpanId, spanId);
  assert.equal(client.parentIsRemote, true);
  assert.equal(joined.find((s) => s.kind === 'SERVER')!.parentSpanId, client.spanId);
});

test('every exchange of the recording became exactly one span', () => {
  const { spans, correlator, decoder } = replay(batches);
  assert.equal(spans.length, 12);
  assert.equal(correlator.stats.parseErrors, 0);
  assert.equal(decoder.stats.malformed, 0);
  assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length);
});

test('a corrupted stream is counted, never thrown', () => {
  const mangled = batches.map((b, i) => {
    const c = Buffer.from(b);
    if (i % 2 === 0) for (let j = 8; j < c.length; j += 37) c[j] ^= 0x5a;
    return i % 3 === 0 ? c.subarray(0, Math.floor(c.length / 2)) : c;
  });
  const { decoder } = replay([...mangled, Buffer.from([1, 2, 3]), Buffer.alloc(64, 0xff)]);
  assert.ok(decoder.stats.malformed > 0);
});
