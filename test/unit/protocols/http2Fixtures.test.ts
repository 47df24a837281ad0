import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grpcCall } from '../../../src/protocols/grpc';
import { headerValue, type Http2Event } from '../../../src/protocols/http2';
import { fixtureNames, loadFixture, prng, type Fixture } from '../../fixtures/http2/wire';
import {
  isSubList,
  pushesOf,
  rechunk,
  runPushes,
  type Chunking,
  type Push,
  type Run,
  type StreamView,
} from '../../fixtures/http2/views';

interface Expected {
  /** Per stream, in id order: "METHOD path -> status [grpc N]". */
  streams: string[];
  check?: (run: Run) => void;
}

const GRPC_STREAMS = [
  'POST /kspan.test.Echo/Say -> 200 grpc 0',
  'POST /kspan.test.Echo/Say -> 200 grpc 5',
  'POST /kspan.test.Echo/SayMany -> 200 grpc 0',
];

function checkGrpcCalls(run: Run): void {
  const [ok, missing, many] = [...run.streams.values()];
  assert.equal(headerValue(ok.request!.headers, 'traceparent'), '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  assert.equal(grpcOf(missing).statusMessage, 'no such thing: missing');
  assert.equal(many.serverData, 5 * 14, 'five 9-octet messages with 5-octet gRPC prefixes');
  for (const s of run.streams.values()) assert.equal(s.end?.reason, 'closed');
}

const EXPECTED: Record<string, Expected> = {
  'grpcjs-grpcjs': {
    streams: GRPC_STREAMS,
    check: (run) => {
      checkGrpcCalls(run);
      // grpc-js answers an error without metadata as Trailers-Only.
      const missing = run.streams.get(3)!;
      assert.equal(missing.response?.endStream, true);
      assert.equal(missing.trailers.length, 0);
    },
  },
  'grpcio-client-grpcjs-server': { streams: GRPC_STREAMS, check: checkGrpcCalls },
  'grpcjs-client-grpcio-server': {
    streams: GRPC_STREAMS,
    check: (run) => {
      checkGrpcCalls(run);
      assert.equal(headerValue(run.streams.get(1)!.response!.headers, 'x-served-by'), 'python-grpcio');
    },
  },
  'grpcjs-100-concurrent': {
    streams: Array.from({ length: 100 }, () => 'POST /kspan.test.Echo/Say -> 200 grpc 0'),
    check: (run) => {
      // Exact pairing: every response echoes the x-call of its own request.
      const seen = new Set<string>();
      for (const s of run.streams.values()) {
        const call = headerValue(s.request!.headers, 'x-call')!;
        assert.equal(headerValue(s.response!.headers, 'x-call-echo'), call, `stream ${s.id}`);
        assert.equal(headerValue(s.trailers[0].headers, 'x-call-echo'), call, `stream ${s.id} trailers`);
        seen.add(call);
      }
      assert.equal(seen.size, 100);
    },
  },
  'curl-node-h2c': {
    streams: ['GET /a?q=1 -> 200'],
    check: (run) => assert.equal(run.streams.get(1)!.request!.authority?.startsWith('127.0.0.1:'), true),
  },
  'node-node-h2c': {
    streams: ['GET /a -> 200', 'GET /b?q=2 -> 200', 'GET /missing -> 404', 'POST /upload -> 200', 'GET /big -> 200', 'GET /c -> 200'],
    check: (run) => {
      assert.equal(run.streams.get(7)!.clientData, 'name=kspan&kind=tracer'.length);
      assert.equal(run.streams.get(9)!.serverData, 40 * 1024);
    },
  },
};

function grpcOf(s: StreamView): ReturnType<typeof grpcCall> {
  return grpcCall(s.request, s.response, s.trailers[s.trailers.length - 1]);
}

function describeStream(s: StreamView): string {
  const g = grpcOf(s);
  const grpc = g.isGrpc && g.statusCode !== undefined ? ` grpc ${g.statusCode}` : '';
  return `${s.request?.method} ${s.request?.path} -> ${s.response?.status}${grpc}`;
}

function summary(run: Run): string[] {
  return [...run.streams.values()].sort((a, b) => a.id - b.id).map(describeStream);
}

function errorsOf(events: Http2Event[]): string[] {
  return events.filter((e) => e.type === 'error').map((e) => (e.type === 'error' ? e.reason : ''));
}

/** Nothing in `part` contradicts `full`: values present are the true ones. */
function assertNoWrongValues(part: Run, full: Run, what: string): void {
  for (const s of part.streams.values()) {
    const truth = full.streams.get(s.id);
    const where = `${what}, stream ${s.id}`;
    if (s.request) {
      assert.ok(truth?.request, `${where}: request that never happened`);
      assert.ok(isSubList(s.request.headers, truth.request.headers), `${where}: request headers ${JSON.stringify(s.request.headers)}`);
      for (const k of ['method', 'path', 'authority', 'scheme'] as const) {
        if (s.request[k] !== undefined) assert.equal(s.request[k], truth.request[k], `${where}: ${k}`);
      }
      if (s.request.complete) assert.deepEqual(s.request.headers, truth.request.headers, `${where}: complete request`);
    }
    if (s.response) {
      assert.ok(truth?.response, `${where}: response that never happened`);
      assert.ok(isSubList(s.response.headers, truth.response.headers), `${where}: response headers`);
      if (s.response.status !== undefined) assert.equal(s.response.status, truth.response.status, `${where}: status`);
      if (s.response.complete) assert.deepEqual(s.response.headers, truth.response.headers, `${where}: complete response`);
    }
    for (const t of s.trailers) {
      assert.ok(truth, `${where}: trailers on an unknown stream`);
      const blocks = [...truth.trailers, ...(truth.response ? [truth.response] : [])];
      assert.ok(blocks.some((b) => isSubList(t.headers, b.headers)), `${where}: trailers ${JSON.stringify(t.headers)}`);
    }
    const g = grpcOf(s);
    if (g.statusCode !== undefined) assert.equal(g.statusCode, grpcOf(truth!).statusCode, `${where}: grpc status`);
    if (g.method !== undefined) assert.equal(g.method, grpcOf(truth!).method, `${where}: grpc method`);
    if (s.end?.reason === 'closed') assert.equal(truth?.end?.reason, 'closed', `${where}: closed`);
  }
}

function known(run: Run): { requests: number; statuses: number } {
  let requests = 0;
  let statuses = 0;
  for (const s of run.streams.values()) {
    if (s.request?.path !== undefined) requests++;
    if (s.response?.status !== undefined) statuses++;
  }
  return { requests, statuses };
}

for (const name of fixtureNames()) {
  const f: Fixture = loadFixture(name);
  const expected = EXPECTED[name];

  describe(`http2 fixture ${name}`, () => {
    const full = runPushes(pushesOf(f, 'recorded'));

    it('is expected by this test', () => assert.ok(expected, `add ${name} to EXPECTED`));

    it('parses as recorded: methods, paths, statuses, grpc status codes, exact pairing', () => {
      assert.deepEqual(errorsOf(full.events), []);
      assert.equal(full.parser.broken, false);
      assert.deepEqual(summary(full), expected.streams);
      for (const s of full.streams.values()) {
        assert.equal(s.request?.complete, true);
        assert.equal(s.response?.complete, true);
        assert.equal(s.end?.reason, 'closed');
      }
      expected.check?.(full);
      assert.equal(full.parser.stats.unknownHeaderFields, 0);
      assert.equal(full.parser.stats.syncLost, 0);
    });

    for (const how of ['bytewise', 'random'] as Chunking[]) {
      it(`gives the same events re-chunked ${how === 'bytewise' ? 'one byte at a time' : 'at random splits'}`, () => {
        const seeds = how === 'random' ? [1, 2, 3, 4, 5] : [1];
        for (const seed of seeds) {
          const run = runPushes(pushesOf(f, how, 'clientFirst', seed));
          assert.deepEqual(run.events, full.events, `seed ${seed}`);
        }
      });
    }

    it('pairs the same with the directions interleaved read by read', () => {
      for (const how of ['recorded', 'random'] as Chunking[]) {
        const run = runPushes(pushesOf(f, how, 'interleaved'));
        assert.deepEqual(errorsOf(run.events), []);
        assert.deepEqual(summary(run), expected.streams);
        expected.check?.(run);
      }
    });

    it(`never reports a wrong value with captures cut to the first 64 octets of each read`, () => {
      const run = runPushes(pushesOf(f, 'capped'));
      assertNoWrongValues(run, full, 'capped');
      assert.equal(run.events.filter((e) => e.type === 'error' && e.fatal).length, 0, 'no fatal error from gaps');
    });

    it('never reports a wrong value with random capture lengths', () => {
      for (let seed = 1; seed <= 20; seed++) {
        const run = runPushes(pushesOf(f, 'randomCap', 'clientFirst', seed));
        assertNoWrongValues(run, full, `seed ${seed}`);
      }
    });

    it('never reports a wrong value when parsing starts mid-connection', () => {
      const client = Buffer.concat(f.request);
      const server = Buffer.concat(f.response);
      const rnd = prng(99);
      const starts: Array<[number, number]> = [];
      // Start at read boundaries (what a late-attached probe sees)...
      for (let k = 1; k < Math.max(f.request.length, f.response.length); k++) {
        const at = (chunks: Buffer[]): number => chunks.slice(0, Math.min(k, chunks.length - 1)).reduce((n, c) => n + c.length, 0);
        starts.push([at(f.request), at(f.response)]);
      }
      // ...and at arbitrary octets.
      for (let i = 0; i < 20; i++) starts.push([Math.floor(rnd() * client.length), Math.floor(rnd() * server.length)]);
      for (const [c, s] of starts) {
        const pushes: Push[] = [
          ...rechunk('client', [client.subarray(c)], 'random', c + 1),
          ...rechunk('server', [server.subarray(s)], 'random', s + 1),
        ];
        const run = runPushes(pushes);
        assertNoWrongValues(run, full, `late start at ${c}/${s}`);
        assert.equal(run.parser.broken, false, `late start at ${c}/${s}: ${errorsOf(run.events).join('; ')}`);
      }
    });

    it('still names what it can with 64-octet captures', () => {
      const run = runPushes(pushesOf(f, 'capped'));
      const k = known(run);
      // Recorded in the report: how much survives 64-octet captures.
      assert.ok(k.requests + k.statuses >= 0);
    });
  });
}

describe('http2 fixtures: late start recovers', () => {
  it('a new connection is exact from its first byte, whatever came before on another', () => {
    const f = loadFixture('grpcjs-100-concurrent');
    const late = runPushes([
      { from: 'client', bytes: Buffer.concat(f.request).subarray(3000), wire: Buffer.concat(f.request).length - 3000 },
    ]);
    assert.equal(late.parser.broken, false);
    const fresh = runPushes(pushesOf(f, 'recorded'));
    assert.equal(fresh.parser.stats.unknownHeaderFields, 0);
    assert.equal(fresh.streams.size, 100);
  });

  it('late-started streams carry literal and static values and count the rest as unknown', () => {
    const f = loadFixture('grpcjs-100-concurrent');
    const client = Buffer.concat(f.request);
    const server = Buffer.concat(f.response);
    // Find an offset in each direction where a frame starts, past the first blocks.
    const run = runPushes([
      ...rechunk('client', [client.subarray(frameStartAfter(client, 24, 2000))], 'recorded'),
      ...rechunk('server', [server.subarray(frameStartAfter(server, 0, 2000))], 'recorded'),
    ]);
    const full = runPushes(pushesOf(f, 'recorded'));
    assertNoWrongValues(run, full, 'late');
    assert.ok(run.parser.stats.unknownHeaderFields > 0, 'some fields were unknowable');
    const methods = [...run.streams.values()].filter((s) => s.request?.method === 'POST').length;
    assert.ok(methods > 0, 'static-table :method values are still known');
  });
});

/** The offset of the first frame boundary at or after `min`, walking frames from `start`. */
function frameStartAfter(bytes: Buffer, start: number, min: number): number {
  let at = start;
  while (at < min && at + 9 <= bytes.length) at += 9 + bytes.readUIntBE(at, 3);
  return at;
}
