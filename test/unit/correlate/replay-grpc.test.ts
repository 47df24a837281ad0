/**
 * The correlator on a recorded HTTP/2 event stream: raw ring-buffer batches
 * captured by test/fixtures/correlate/record-grpc.ts from a real run
 * (grpc-js over h2c and TLS, a nested call, curl h2c, on this kernel),
 * replayed through the decoder.
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
const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'grpc.json'), 'utf8')) as {
  plainPort: number; tlsPort: number; backPort: number; h2cPort: number; traceparent: string;
};
const batches = BatchRecorder.read(path.join(FIXTURES, 'grpc.batches'));

function replay(input: Buffer[]): { spans: KspanSpan[]; correlator: HttpCorrelator; decoder: SocketEventDecoder } {
  const spans: KspanSpan[] = [];
  const clock = new MonotonicClock();
  const correlator = new HttpCorrelator(clock, (pid, comm) => ({ pid, serviceName: comm ?? 'unknown', executableName: comm ?? 'unknown' }),
    (s) => spans.push(s), { holdMs: 0, redactQuery: true });
  const decoder = new SocketEventDecoder(clock, correlator);
  for (const b of input) decoder.decodeBatch(b);
  correlator.flush(true);
  return { spans, correlator, decoder };
}

const on = (spans: KspanSpan[], port: number, kind: 'SERVER' | 'CLIENT'): KspanSpan[] => spans
  .filter((s) => s.kind === kind && s.attributes['server.port'] === port)
  .sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));

test('every stream of the recording became exactly one span, and nothing else did', () => {
  const { spans, correlator, decoder } = replay(batches);
  assert.equal(spans.length, 22);
  assert.equal(new Set(spans.map((s) => s.spanId)).size, 22);
  assert.equal(decoder.stats.malformed, 0);
  assert.equal(correlator.http2Stats.parseErrors, 0);
  assert.equal(correlator.http2Stats.eventsWithoutRequest, 0);
  assert.equal(correlator.stats.unclassifiedChunks, 0);
});

for (const [what, port] of [['h2c', meta.plainPort], ['TLS', meta.tlsPort]] as const) {
  test(`recorded gRPC over ${what}: names, statuses, traceparent, stitching per stream`, () => {
    const { spans } = replay(batches);
    const servers = on(spans, port, 'SERVER').slice(0, 4); // the nested call came later on the h2c port
    const clients = on(spans, port, 'CLIENT').slice(0, 4);
    assert.deepEqual(servers.map((s) => s.name), ['kspan.test.Echo/Say', 'kspan.test.Echo/Say', 'kspan.test.Echo/Say', 'kspan.test.Echo/SayMany']);
    assert.deepEqual(clients.map((s) => s.attributes['rpc.grpc.status_code']), [0, 5, 13, 0]);
    assert.deepEqual(servers.map((s) => s.status.code), ['UNSET', 'UNSET', 'ERROR', 'UNSET']);
    assert.deepEqual(clients.map((s) => s.status.code), ['UNSET', 'ERROR', 'ERROR', 'UNSET']);
    servers.forEach((s, i) => {
      assert.equal(s.parentSpanId, clients[i].spanId);
      assert.equal(s.traceId, clients[i].traceId);
      assert.ok(s.startTimeUnixNano >= clients[i].startTimeUnixNano && s.endTimeUnixNano <= clients[i].endTimeUnixNano);
      assert.equal(s.attributes['url.scheme'], what === 'TLS' ? 'https' : 'http');
      assert.equal(s.attributes['tls.protocol.name'], what === 'TLS' ? 'tls' : undefined);
    });
    const [, traceId, spanId] = meta.traceparent.split('-');
    assert.equal(clients[0].traceId, traceId);
    assert.equal(clients[0].parentSpanId, spanId);
    assert.equal(servers[3].attributes['http.response.body.size'], 3 * 14);
  });
}

test('recorded nested call: the call made while serving is the child of the call served', () => {
  const { spans } = replay(batches);
  const [back] = on(spans, meta.backPort, 'SERVER');
  const nested = spans.find((s) => s.spanId === back.parentSpanId)!;
  assert.equal(nested.kind, 'CLIENT');
  const served = spans.find((s) => s.spanId === nested.parentSpanId)!;
  assert.equal(served.kind, 'SERVER');
  assert.equal(served.attributes['server.port'], meta.plainPort);
  const caller = spans.find((s) => s.spanId === served.parentSpanId)!;
  assert.equal(caller.kind, 'CLIENT');
  assert.equal(new Set([back, nested, served, caller].map((s) => s.traceId)).size, 1);
});

test('recorded curl h2c: an HTTP span, stitched', () => {
  const { spans } = replay(batches);
  const [server] = on(spans, meta.h2cPort, 'SERVER');
  const [client] = on(spans, meta.h2cPort, 'CLIENT');
  assert.equal(server.name, 'GET /a');
  assert.equal(server.attributes['url.query'], 'q=REDACTED');
  assert.equal(server.attributes['network.protocol.version'], '2');
  assert.equal(client.process.serviceName, 'curl');
  assert.equal(server.parentSpanId, client.spanId);
});

test('a corrupted recording is counted, never thrown', () => {
  const mangled = batches.map((b, i) => {
    const c = Buffer.from(b);
    if (i % 2 === 0) for (let j = 8; j < c.length; j += 29) c[j] ^= 0xa5;
    return i % 3 === 0 ? c.subarray(0, Math.floor(c.length / 2)) : c;
  });
  assert.doesNotThrow(() => replay([...mangled, Buffer.from([1, 2, 3]), Buffer.alloc(64, 0xff)]));
});
