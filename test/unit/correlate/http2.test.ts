/**
 * HTTP/2 and gRPC in the correlator (src/correlate/http2): recorded
 * connections (test/fixtures/http2) played as the socket events of both
 * ends, hand-made frames for timing and parenting, and hostile bytes.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { KspanSpan } from '../../../src/correlate/span';
import { ConnRole, Direction, SockDataEvent } from '../../../src/receivers/sockets/types';
import {
  F, PREFACE, T, data, frame, frameHeader, headers, indexed, literal, loadFixture, prng, requestBlock, settings, sizeUpdate, type Fixture,
} from '../../fixtures/http2/wire';
import { kindOf, newCorrelator, play, relTs, SERVER_CONN } from './http2Feed';

const TRACEPARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT_SPAN = '00f067aa0ba902b7';

function byStream(spans: KspanSpan[], kind: 'SERVER' | 'CLIENT', id: number): KspanSpan {
  const s = spans.find((x) => x.kind === kind && x.attributes['kspan.http2.stream_id'] === id);
  assert.ok(s, `${kind} span of stream ${id}`);
  return s;
}

/** Every SERVER span is the child of the CLIENT span of its stream, in its trace. */
function assertPairedByStream(spans: KspanSpan[]): void {
  for (const server of kindOf(spans, 'SERVER')) {
    const client = byStream(spans, 'CLIENT', Number(server.attributes['kspan.http2.stream_id']));
    assert.equal(server.parentSpanId, client.spanId, `stream ${server.attributes['kspan.http2.stream_id']}`);
    assert.equal(server.traceId, client.traceId);
  }
}

/** A connection from hand-made chunks: [client chunks], [server chunks]. */
function handMade(request: Buffer[], response: Buffer[]): Fixture {
  return { name: 'hand-made', description: '', client: '', server: '', request, response };
}

const CLIENT_START = Buffer.concat([PREFACE, settings()]);
const STATUS_200 = indexed(8);
const STATUS_404 = indexed(13);

describe('gRPC over h2c (grpc-js client and server, recorded)', () => {
  const played = play(loadFixture('grpcjs-grpcjs'));
  const { spans } = played;

  test('one SERVER and one CLIENT span per call, named {service}/{method}, with rpc.* attributes', () => {
    assert.equal(spans.length, 6);
    assert.deepEqual(kindOf(spans, 'SERVER').map((s) => s.name), ['kspan.test.Echo/Say', 'kspan.test.Echo/Say', 'kspan.test.Echo/SayMany']);
    for (const s of spans) {
      assert.equal(s.attributes['rpc.system'], 'grpc');
      assert.equal(s.attributes['rpc.service'], 'kspan.test.Echo');
      assert.equal(s.attributes['network.protocol.version'], '2');
      assert.equal(s.attributes['http.request.method'], 'POST');
      assert.equal(s.attributes['kspan.http2.headers_incomplete'], undefined);
    }
    assert.equal(byStream(spans, 'SERVER', 1).attributes['url.path'], '/kspan.test.Echo/Say');
    assert.equal(byStream(spans, 'SERVER', 1).attributes['user_agent.original'], 'grpc-node-js/1.14.7');
    assert.match(String(byStream(spans, 'CLIENT', 5).attributes['url.full']), /^http:\/\/127\.0\.0\.1:\d+\/kspan\.test\.Echo\/SayMany$/);
  });

  test('status from the trailers, and from a Trailers-Only response (NOT_FOUND)', () => {
    assert.deepEqual(kindOf(spans, 'CLIENT').map((s) => s.attributes['rpc.grpc.status_code']), [0, 5, 0]);
    const notFoundServer = byStream(spans, 'SERVER', 3);
    const notFoundClient = byStream(spans, 'CLIENT', 3);
    assert.equal(notFoundServer.status.code, 'UNSET', 'NOT_FOUND is not a server error');
    assert.deepEqual(notFoundClient.status, { code: 'ERROR', message: 'no such thing: missing' });
    assert.equal(notFoundClient.attributes['error.type'], 'NOT_FOUND');
    assert.equal(byStream(spans, 'CLIENT', 1).status.code, 'UNSET');
  });

  test('server streaming: one span for the call, ending with its trailers; message bytes counted', () => {
    const server = byStream(spans, 'SERVER', 5);
    assert.equal(server.attributes['http.response.body.size'], 5 * 14);
    const f = loadFixture('grpcjs-grpcjs');
    // The trailers are server chunk 7: the span ends when that write returned.
    assert.equal(relTs(played, server.endTimeUnixNano), played.serverChunkTs[7] + 100);
    assert.equal(f.response.length, 9);
  });

  test('traceparent in the metadata joins its trace; the server is stitched to the client per stream', () => {
    const client = byStream(spans, 'CLIENT', 1);
    assert.equal(client.traceId, TRACEPARENT_TRACE);
    assert.equal(client.parentSpanId, TRACEPARENT_SPAN);
    assert.equal(client.parentIsRemote, true);
    assertPairedByStream(spans);
    assert.equal(byStream(spans, 'SERVER', 1).parentIsRemote, false);
  });

  test('SERVER spans start at the arrival of the read carrying HEADERS; CLIENT spans at its write', () => {
    const server = byStream(spans, 'SERVER', 3);
    const client = byStream(spans, 'CLIENT', 3);
    assert.equal(relTs(played, client.startTimeUnixNano), played.clientChunkTs[2]);
    assert.equal(relTs(played, server.startTimeUnixNano), played.clientChunkTs[2] + 150);
    assert.equal(server.attributes['kspan.socket.wait_ns'], 150);
    assert.ok(server.endTimeUnixNano <= client.endTimeUnixNano);
  });
});

test('the reads can reach the agent before the writes: pairing by stream id does not care', () => {
  const { spans } = play(loadFixture('grpcjs-grpcjs'), { readsFirst: true });
  assert.equal(spans.length, 6);
  assertPairedByStream(spans);
});

test('a traceparent only the server end decoded (the client\'s capture was cut) still joins the client to its trace', () => {
  const { spans } = play(loadFixture('grpcjs-grpcjs'), { clientCapture: 40 });
  const client = byStream(spans, 'CLIENT', 1);
  const server = byStream(spans, 'SERVER', 1);
  assert.equal(client.attributes['kspan.http2.headers_incomplete'], true);
  assert.equal(client.traceId, TRACEPARENT_TRACE);
  assert.equal(client.parentSpanId, TRACEPARENT_SPAN);
  assert.equal(server.parentSpanId, client.spanId);
});

test('100 concurrent calls on one connection (grpc-js): exactly paired by stream id', () => {
  const { spans } = play(loadFixture('grpcjs-100-concurrent'));
  assert.equal(kindOf(spans, 'SERVER').length, 100);
  assert.equal(kindOf(spans, 'CLIENT').length, 100);
  assert.deepEqual(kindOf(spans, 'CLIENT').map((s) => s.attributes['kspan.http2.stream_id']), Array.from({ length: 100 }, (_, i) => 2 * i + 1));
  assertPairedByStream(spans);
  assert.equal(new Set(spans.map((s) => s.traceId)).size, 100, 'one trace per call');
  for (const s of spans) assert.equal(s.attributes['rpc.grpc.status_code'], 0);
});

test('100 concurrent calls seen through a 2048-octet capture: fewer spans, none wrong', () => {
  const { spans, correlator } = play(loadFixture('grpcjs-100-concurrent'), { capture: 2048 });
  assert.ok(spans.length > 0 && spans.length < 200);
  assertPairedByStream(spans);
  for (const s of spans) {
    assert.equal(s.name, 'kspan.test.Echo/Say');
    assert.ok(s.attributes['rpc.grpc.status_code'] === undefined || s.attributes['rpc.grpc.status_code'] === 0);
    assert.ok(s.attributes['http.response.status_code'] === undefined || s.attributes['http.response.status_code'] === 200);
    // Reply "hello c{i}" on stream 2i+1: a 5-octet gRPC prefix, then protobuf tag, length and text.
    const reply = 7 + `hello c${(Number(s.attributes['kspan.http2.stream_id']) - 1) / 2}`.length;
    if (s.attributes['http.response.body.size'] !== undefined) assert.equal(s.attributes['http.response.body.size'], reply);
  }
  assert.ok(correlator.http2Stats.eventsWithoutRequest > 0, 'streams whose HEADERS went unseen are counted');
});

describe('plain HTTP/2 gets HTTP spans', () => {
  test('curl --http2-prior-knowledge → node: GET with a redacted query and a traceparent', () => {
    const { spans } = play(loadFixture('curl-node-h2c'));
    const server = byStream(spans, 'SERVER', 1);
    const client = byStream(spans, 'CLIENT', 1);
    assert.equal(server.name, 'GET /a');
    assert.equal(server.attributes['url.path'], '/a');
    assert.equal(server.attributes['url.query'], 'q=REDACTED');
    assert.equal(server.attributes['url.scheme'], 'http');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.attributes['user_agent.original'], 'curl/7.88.1');
    assert.equal(server.attributes['rpc.system'], undefined);
    assert.match(String(client.attributes['url.full']), /^http:\/\/127\.0\.0\.1:\d+\/a\?q=REDACTED$/);
    assert.equal(client.traceId, TRACEPARENT_TRACE);
    assert.equal(server.parentSpanId, client.spanId);
  });

  test('node → node, six requests on one session: statuses, bodies, concurrent streams', () => {
    const { spans } = play(loadFixture('node-node-h2c'));
    assert.equal(spans.length, 12);
    assertPairedByStream(spans);
    assert.deepEqual(kindOf(spans, 'SERVER').map((s) => s.name), ['GET /a', 'GET /b', 'GET /missing', 'POST /upload', 'GET /big', 'GET /c']);
    const missing = byStream(spans, 'CLIENT', 5);
    assert.equal(missing.attributes['http.response.status_code'], 404);
    assert.equal(missing.status.code, 'ERROR');
    assert.equal(byStream(spans, 'SERVER', 5).status.code, 'UNSET');
    assert.equal(byStream(spans, 'SERVER', 7).attributes['http.request.body.size'], 'name=kspan&kind=tracer'.length);
    assert.equal(byStream(spans, 'CLIENT', 9).attributes['http.response.body.size'], 40 * 1024);
  });
});

describe('python grpcio (recorded)', () => {
  for (const name of ['grpcio-client-grpcjs-server', 'grpcjs-client-grpcio-server']) {
    test(name, () => {
      const { spans } = play(loadFixture(name));
      assert.equal(spans.length, 6);
      assertPairedByStream(spans);
      assert.deepEqual(kindOf(spans, 'CLIENT').map((s) => `${s.name} ${s.attributes['rpc.grpc.status_code']}`),
        ['kspan.test.Echo/Say 0', 'kspan.test.Echo/Say 5', 'kspan.test.Echo/SayMany 0']);
      assert.equal(byStream(spans, 'CLIENT', 1).traceId, TRACEPARENT_TRACE);
    });
  }
});

describe('timing: each stream takes the times of its own chunks', () => {
  const get = (id: number, p: string): Buffer => headers(id, requestBlock('GET', p), F.END_HEADERS | F.END_STREAM);

  test('a HEADERS frame split over two reads starts the span at the first read', () => {
    const h = get(1, '/split');
    const p = play(handMade([CLIENT_START, h.subarray(0, 12), h.subarray(12)], [settings(), headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]));
    const server = byStream(p.spans, 'SERVER', 1);
    const client = byStream(p.spans, 'CLIENT', 1);
    assert.equal(server.name, 'GET /split');
    assert.equal(relTs(p, server.startTimeUnixNano), p.clientChunkTs[1] + 150, 'arrival of the first read');
    assert.equal(relTs(p, client.startTimeUnixNano), p.clientChunkTs[1], 'the first write');
  });

  test('a frame header cut across three reads still times the span by the first', () => {
    const h = get(1, '/straddle');
    const p = play(handMade([CLIENT_START, h.subarray(0, 3), h.subarray(3, 6), h.subarray(6)], [settings(), headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]));
    assert.equal(relTs(p, byStream(p.spans, 'SERVER', 1).startTimeUnixNano), p.clientChunkTs[1] + 150);
    assert.equal(relTs(p, byStream(p.spans, 'CLIENT', 1).startTimeUnixNano), p.clientChunkTs[1]);
  });

  test('two streams in one read: the first starts at its arrival, the second when the read returned; they end apart', () => {
    const both = Buffer.concat([get(1, '/slow'), get(3, '/fast')]);
    const p = play(handMade([CLIENT_START, both], [
      settings(),
      headers(3, STATUS_200, F.END_HEADERS | F.END_STREAM),
      Buffer.concat([headers(1, STATUS_404, F.END_HEADERS), data(1, 'gone', true)]),
    ]));
    const slow = byStream(p.spans, 'SERVER', 1);
    const fast = byStream(p.spans, 'SERVER', 3);
    assert.equal(relTs(p, slow.startTimeUnixNano), p.clientChunkTs[1] + 150, 'its HEADERS opened the read: the read\'s arrival');
    assert.equal(relTs(p, fast.startTimeUnixNano), p.clientChunkTs[1] + 300, 'after stream 1\'s frame: when the read returned');
    assert.equal(relTs(p, fast.endTimeUnixNano), p.serverChunkTs[1] + 100);
    assert.equal(relTs(p, slow.endTimeUnixNano), p.serverChunkTs[2] + 100);
    assert.equal(slow.attributes['http.response.status_code'], 404);
    assert.equal(byStream(p.spans, 'CLIENT', 3).endTimeUnixNano < byStream(p.spans, 'CLIENT', 1).endTimeUnixNano, true);
  });

  test('a reset stream ends as an error with the RST_STREAM code; a closed connection cuts open streams', () => {
    const rst = Buffer.from([0, 0, 4, T.RST_STREAM, 0, 0, 0, 0, 1, 0, 0, 0, 8]); // CANCEL
    const p = play(handMade([CLIENT_START, Buffer.concat([get(1, '/cancel'), get(3, '/hang')]), rst], [settings()]));
    const cancelled = byStream(p.spans, 'CLIENT', 1);
    assert.equal(cancelled.status.code, 'ERROR');
    assert.equal(cancelled.attributes['error.type'], 'stream_reset');
    assert.equal(cancelled.attributes['kspan.http2.error_code'], 'CANCEL');
    assert.equal(byStream(p.spans, 'SERVER', 3).attributes['error.type'], 'connection_closed');
  });
});

test('a CLIENT stream made while serving a stream on the same thread is its child', () => {
  const spans: KspanSpan[] = [];
  const c = newCorrelator(spans);
  const open = (connId: bigint, role: ConnRole, local: number, remote: number): void => c.onOpen({
    role, tgid: 100, tid: 100, fd: Number(connId), connId, ts: 0, localAddress: '127.0.0.1', localPort: local, remoteAddress: '127.0.0.1', remotePort: remote, comm: 'node' });
  let ts = 1000;
  const send = (connId: bigint, direction: Direction, bytes: Buffer): void => {
    ts += 1000;
    c.onData({ direction, syscall: 0, tgid: 100, tid: 100, fd: Number(connId), connId, enterTs: ts, exitTs: ts + 10, arrivalTs: 0,
      wireLength: bytes.length, payload: bytes, tail: undefined, ssl: undefined } satisfies SockDataEvent);
  };
  open(1n, ConnRole.Server, 8080, 50000);
  open(2n, ConnRole.Client, 50001, 9090);
  send(1n, Direction.Ingress, Buffer.concat([CLIENT_START, headers(1, requestBlock('GET', '/front'), F.END_HEADERS | F.END_STREAM)]));
  send(2n, Direction.Egress, Buffer.concat([CLIENT_START, headers(1, requestBlock('GET', '/back'), F.END_HEADERS | F.END_STREAM)]));
  send(2n, Direction.Ingress, Buffer.concat([settings(), headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]));
  send(1n, Direction.Egress, Buffer.concat([settings(), headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]));
  c.flush(true);
  const front = spans.find((s) => s.kind === 'SERVER')!;
  const back = spans.find((s) => s.kind === 'CLIENT')!;
  assert.equal(back.parentSpanId, front.spanId);
  assert.equal(back.traceId, front.traceId);
});

test('streams still open when kspan stops (or their process exits) become incomplete spans', () => {
  const spans: KspanSpan[] = [];
  const c = newCorrelator(spans);
  c.onOpen({ role: ConnRole.Server, tgid: 100, tid: 100, fd: 3, connId: 1n, ts: 0, localAddress: '127.0.0.1', localPort: 80, remoteAddress: '127.0.0.1', remotePort: 50000, comm: 'node' });
  const bytes = Buffer.concat([CLIENT_START, headers(1, requestBlock('GET', '/slow'), F.END_HEADERS | F.END_STREAM)]);
  c.onData({ direction: Direction.Ingress, syscall: 0, tgid: 100, tid: 100, fd: 3, connId: 1n, enterTs: 1000, exitTs: 1010, arrivalTs: 990,
    wireLength: bytes.length, payload: bytes, tail: undefined, ssl: undefined });
  c.abandonAll();
  c.flush(true);
  assert.equal(spans.length, 1);
  assert.equal(spans[0].name, 'GET /slow');
  assert.equal(spans[0].attributes['error.type'], 'in_flight_at_stop');
  assert.equal(spans[0].status.code, 'ERROR');
});

describe('late start: TLS h2 joined mid-way', () => {
  test('what is emitted is never wrong; what was not decoded is left out and flagged', () => {
    const full = play(loadFixture('grpcjs-grpcjs'), { tlsUnknownRole: true }).spans;
    const late = play(loadFixture('grpcjs-grpcjs'), { tlsUnknownRole: true, skipClient: 2, skipServer: 4 });
    assert.ok(late.spans.length > 0, 'the calls after the start are seen');
    assert.equal(late.correlator.http2Stats.lateConnections, 2);
    assertPairedByStream(late.spans);
    for (const s of late.spans) {
      const id = Number(s.attributes['kspan.http2.stream_id']);
      const truth = byStream(full, s.kind as 'SERVER' | 'CLIENT', id);
      for (const [k, v] of Object.entries(s.attributes)) {
        if (k === 'kspan.http2.headers_incomplete' || k === 'error.type') continue;
        // Without :authority these fall back to the connection's addresses (documented); the recording went through a proxy.
        if (k === 'server.address' || k === 'server.port') continue;
        if (k === 'url.full') assert.equal(pathOf(v), pathOf(truth.attributes[k]), `stream ${id} ${k}`);
        else assert.deepEqual(v, truth.attributes[k], `stream ${id} ${k}`);
      }
      assert.equal(s.attributes['kspan.http2.headers_incomplete'], true);
      const path = truth.kind === 'SERVER' ? truth.attributes['url.path'] : pathOf(truth.attributes['url.full']);
      assert.ok([truth.name, `POST ${String(path)}`, 'POST', 'HTTP', 'grpc'].includes(s.name), s.name);
    }
  });

  test('exact again once the HPACK state is known (a table size update to 0)', () => {
    const spans: KspanSpan[] = [];
    const c = newCorrelator(spans);
    c.onOpen({ role: ConnRole.Unknown, tgid: 100, tid: 100, fd: 3, connId: 1n, ts: 0, localAddress: '127.0.0.1', localPort: 443, remoteAddress: '127.0.0.1', remotePort: 50000, comm: 'node' });
    let ts = 1000;
    const send = (direction: Direction, bytes: Buffer): void => {
      ts += 1000;
      c.onData({ direction, syscall: 0, tgid: 100, tid: 100, fd: 3, connId: 1n, enterTs: ts, exitTs: ts + 10, arrivalTs: 0,
        wireLength: bytes.length, payload: bytes, tail: undefined, ssl: '0x1' });
    };
    // Stream 7: :method from the static table, :path from a dynamic entry inserted before we looked.
    send(Direction.Ingress, headers(7, [...indexed(3), ...indexed(7), ...indexed(62)], F.END_HEADERS | F.END_STREAM));
    send(Direction.Egress, headers(7, STATUS_200, F.END_HEADERS | F.END_STREAM));
    // Stream 9: the client empties its table, then everything is literal: exact.
    send(Direction.Ingress, headers(9, [...sizeUpdate(0), ...sizeUpdate(4096), ...requestBlock('POST', '/pkg.Svc/Do', [['content-type', 'application/grpc']])], F.END_HEADERS | F.END_STREAM));
    send(Direction.Egress, headers(9, [...STATUS_200, ...literal('grpc-status', '12')], F.END_HEADERS | F.END_STREAM));
    c.flush(true);
    assert.equal(spans.length, 2);
    const [unknown, known] = spans;
    assert.equal(unknown.kind, 'SERVER');
    assert.equal(unknown.name, 'POST');
    assert.equal(unknown.attributes['url.path'], undefined);
    assert.equal(unknown.attributes['kspan.http2.headers_incomplete'], true);
    assert.equal(known.name, 'pkg.Svc/Do');
    assert.equal(known.attributes['rpc.method'], 'Do');
    assert.equal(known.attributes['kspan.http2.headers_incomplete'], undefined);
    assert.equal(known.attributes['rpc.grpc.status_code'], 12);
    assert.equal(known.attributes['error.type'], 'UNIMPLEMENTED');
  });
});

describe('bad input: counted, never thrown, the connection dropped', () => {
  function serverConn(): { spans: KspanSpan[]; c: ReturnType<typeof newCorrelator>; send: (b: Buffer) => void } {
    const spans: KspanSpan[] = [];
    const c = newCorrelator(spans);
    c.onOpen({ role: ConnRole.Server, tgid: 100, tid: 100, fd: 3, connId: SERVER_CONN, ts: 0, localAddress: '127.0.0.1', localPort: 80, remoteAddress: '127.0.0.1', remotePort: 50000, comm: 'node' });
    let ts = 1000;
    const send = (b: Buffer): void => {
      ts += 1000;
      assert.doesNotThrow(() => c.onData({ direction: Direction.Ingress, syscall: 0, tgid: 100, tid: 100, fd: 3, connId: SERVER_CONN, enterTs: ts, exitTs: ts + 10,
        arrivalTs: 0, wireLength: b.length, payload: b, tail: undefined, ssl: undefined }));
    };
    return { spans, c, send };
  }
  const valid = headers(1, requestBlock('GET', '/after'), F.END_HEADERS | F.END_STREAM);

  const cases: Array<[string, Buffer]> = [
    ['a frame longer than the max frame size', frameHeader(T.HEADERS, F.END_HEADERS, 3, 1 << 20)],
    ['an HPACK index out of range', headers(3, indexed(4000), F.END_HEADERS | F.END_STREAM)],
    ['garbage after the preface', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01\x02\xff\xfe', 'latin1')],
    ['CONTINUATION without HEADERS', frame(T.CONTINUATION, F.END_HEADERS, 3, [0x82])],
  ];
  for (const [what, bad] of cases) {
    test(what, () => {
      const { spans, c, send } = serverConn();
      send(CLIENT_START);
      send(bad);
      send(valid);
      c.flush(true);
      assert.equal(spans.length, 0, 'nothing after the break is trusted');
      assert.equal(c.http2Stats.brokenConnections, 1);
      assert.ok(c.http2Stats.parseErrors >= 1);
    });
  }

  test('an oversized header list: the span is kept, flagged incomplete, the error counted', () => {
    const { spans, c, send } = serverConn();
    const big = 'x'.repeat(15000);
    const block = Buffer.from(requestBlock('GET', '/big-headers', Array.from({ length: 6 }, (_, i) => [`x-big-${i}`, big] as [string, string])));
    const first = block.subarray(0, 16000);
    const rest = block.subarray(16000);
    send(CLIENT_START);
    send(Buffer.concat([frame(T.HEADERS, F.END_STREAM, 1, first), ...chunks(rest, 16000).map((p, i, all) => frame(T.CONTINUATION, i === all.length - 1 ? F.END_HEADERS : 0, 1, p))]));
    c.onClose({ tgid: 100, tid: 100, fd: 3, connId: SERVER_CONN, ts: 99_000 });
    c.flush(true);
    assert.equal(spans.length, 1);
    assert.equal(spans[0].name, 'GET /big-headers');
    assert.equal(spans[0].attributes['kspan.http2.headers_incomplete'], true);
    assert.equal(c.http2Stats.brokenConnections, 0);
    assert.ok(c.http2Stats.parseErrors >= 1);
  });

  test('mangled recordings never throw, and every span they give is well formed', () => {
    const rnd = prng(7);
    for (const name of ['grpcjs-grpcjs', 'node-node-h2c', 'grpcjs-100-concurrent']) {
      for (let round = 0; round < 20; round++) {
        const f = loadFixture(name);
        const mangle = (list: Buffer[]): Buffer[] => list.map((b) => {
          const m = Buffer.from(b);
          for (let i = 0; i < 1 + rnd() * 4; i++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
          return rnd() < 0.2 ? m.subarray(0, Math.floor(rnd() * m.length)) : m;
        });
        let spans: KspanSpan[] = [];
        assert.doesNotThrow(() => (spans = play({ ...f, request: mangle(f.request), response: mangle(f.response) }, { capture: 1 + Math.floor(rnd() * 4096) }).spans));
        for (const s of spans) {
          assert.ok(s.endTimeUnixNano >= s.startTimeUnixNano);
          assert.equal(typeof s.attributes['kspan.http2.stream_id'], 'number');
        }
      }
    }
  });
});

function pathOf(url: unknown): string {
  return String(url).replace(/^[a-z]+:\/\/[^/]+/, '');
}

function chunks(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
}
