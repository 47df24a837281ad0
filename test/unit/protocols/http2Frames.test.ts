import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Http2ConnectionParser, http2ErrorName, type Http2Event, type Http2ParserOptions } from '../../../src/protocols/http2';
import {
  F,
  PREFACE,
  T,
  data,
  frame,
  goaway,
  headers,
  indexed,
  literal,
  literalIndexed,
  literalNameIndex,
  requestBlock,
  rstStream,
  settings,
  sizeUpdate,
  windowUpdate,
} from '../../fixtures/http2/wire';
import { streamViews } from '../../fixtures/http2/views';

type Step = ['client' | 'server', Buffer | Buffer[], number?];

/** Pushes each step (optionally with a longer wire length) and returns all events. */
function run(steps: Step[], options?: Http2ParserOptions): { events: Http2Event[]; parser: Http2ConnectionParser } {
  const parser = new Http2ConnectionParser(options);
  const events: Http2Event[] = [];
  for (const [from, bytes, wire] of steps) {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.concat(bytes);
    events.push(...parser.push(from, b, wire ?? b.length));
  }
  return { events, parser };
}

function types(events: Http2Event[]): string[] {
  return events.map((e) => (e.type === 'end' ? `end:${e.streamId}:${e.reason}` : `${e.type}${'streamId' in e ? `:${e.streamId}` : ''}`));
}

const CLIENT_START = Buffer.concat([PREFACE, settings()]);
const SERVER_START = settings();
const STATUS_200 = indexed(8);

describe('http2 frames', () => {
  it('pairs a request and its response and ends the stream when both halves closed', () => {
    const { events } = run([
      ['client', [CLIENT_START, headers(1, requestBlock('GET', '/x'), F.END_HEADERS | F.END_STREAM)]],
      ['server', [SERVER_START, headers(1, [...STATUS_200, ...literal('content-type', 'text/plain')]), data(1, 'hello', true)]],
    ]);
    assert.deepEqual(types(events), ['request:1', 'response:1', 'data:1', 'end:1:closed']);
    const req = events[0];
    assert.ok(req.type === 'request');
    assert.equal(req.method, 'GET');
    assert.equal(req.path, '/x');
    assert.equal(req.scheme, 'http');
    assert.equal(req.authority, 'example.test');
    assert.equal(req.endStream, true);
    assert.equal(req.complete, true);
    const end = events[3];
    assert.ok(end.type === 'end');
    assert.equal(end.responseBytes, 5);
  });

  it('assembles HEADERS + CONTINUATION frames, split inside a field', () => {
    const block = Buffer.from(requestBlock('POST', '/upload', [['x-long', 'v'.repeat(300)]]));
    const { events } = run([
      ['client', CLIENT_START],
      ['client', frame(T.HEADERS, 0, 1, block.subarray(0, 10))],
      ['client', frame(T.CONTINUATION, 0, 1, block.subarray(10, 200))],
      ['client', frame(T.CONTINUATION, F.END_HEADERS, 1, block.subarray(200))],
    ]);
    assert.deepEqual(types(events), ['request:1']);
    const req = events[0];
    assert.ok(req.type === 'request');
    assert.equal(req.path, '/upload');
    assert.deepEqual(req.headers[req.headers.length - 1], ['x-long', 'v'.repeat(300)]);
  });

  it('handles PADDED and PRIORITY on HEADERS and PADDED on DATA', () => {
    const block = requestBlock('GET', '/padded');
    const payload = [4, 0x80, 0, 0, 3, 200, ...block, 0, 0, 0, 0]; // pad 4, exclusive dep on 3, weight 200
    const padded = frame(T.HEADERS, F.END_HEADERS | F.PADDED | F.PRIORITY, 5, payload);
    const paddedData = frame(T.DATA, F.PADDED | F.END_STREAM, 5, [3, ...Buffer.from('abcdef'), 0, 0, 0]);
    const { events } = run([['client', [CLIENT_START, padded, paddedData]]]);
    assert.deepEqual(types(events), ['request:5', 'data:5']);
    assert.ok(events[0].type === 'request' && events[0].path === '/padded');
    assert.ok(events[1].type === 'data' && events[1].bytes === 6 && events[1].endStream);
  });

  it('handles frames split across reads and many frames in one read', () => {
    const all = Buffer.concat([
      CLIENT_START,
      headers(1, requestBlock('GET', '/a'), F.END_HEADERS | F.END_STREAM),
      headers(3, requestBlock('GET', '/b'), F.END_HEADERS | F.END_STREAM),
      windowUpdate(0, 1000),
    ]);
    const whole = run([['client', all]]).events;
    for (let cut = 1; cut < all.length; cut++) {
      const split = run([
        ['client', all.subarray(0, cut)],
        ['client', all.subarray(cut)],
      ]).events;
      assert.deepEqual(split, whole, `cut at ${cut}`);
    }
    assert.deepEqual(types(whole), ['request:1', 'request:3']);
  });

  it('RST_STREAM ends a stream with its error code and sender', () => {
    const { events } = run([
      ['client', [CLIENT_START, headers(1, requestBlock('GET', '/slow'), F.END_HEADERS | F.END_STREAM)]],
      ['server', [SERVER_START, headers(1, STATUS_200), data(1, 'partial')]],
      ['client', rstStream(1, 8)],
      ['server', data(1, 'late data is ignored')],
    ]);
    assert.deepEqual(types(events), ['request:1', 'response:1', 'data:1', 'end:1:reset']);
    const end = events[3];
    assert.ok(end.type === 'end' && end.errorCode === 8 && end.from === 'client');
    assert.equal(http2ErrorName(8), 'CANCEL');
    assert.equal(http2ErrorName(0x1f), '0x1f');
  });

  it('GOAWAY reports and ends the streams above its last stream id', () => {
    const { events } = run([
      ['client', [CLIENT_START, headers(1, requestBlock('GET', '/1'), F.END_HEADERS | F.END_STREAM)]],
      ['client', headers(3, requestBlock('GET', '/3'), F.END_HEADERS | F.END_STREAM)],
      ['server', [SERVER_START, goaway(1, 0, 'shutting down')]],
      ['server', [headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]],
    ]);
    assert.deepEqual(types(events), ['request:1', 'request:3', 'goaway', 'end:3:goaway', 'response:1', 'end:1:closed']);
    assert.ok(events[2].type === 'goaway' && events[2].lastStreamId === 1 && events[2].errorCode === 0 && events[2].from === 'server');
  });

  it('ignores WINDOW_UPDATE, PING, PRIORITY and unknown frame types', () => {
    const { events, parser } = run([
      [
        'client',
        [
          CLIENT_START,
          windowUpdate(0, 65535),
          frame(T.PING, 0, 0, Buffer.alloc(8)),
          frame(0x0a, 0, 0, Buffer.from('altsvc-like')),
          frame(0xfa, 0xff, 7, Buffer.alloc(100)),
          frame(T.PRIORITY, 0, 1, [0, 0, 0, 0, 16]),
          headers(1, requestBlock('GET', '/after-unknown'), F.END_HEADERS | F.END_STREAM),
          frame(0x10, 0, 1, Buffer.alloc(3)),
        ],
      ],
    ]);
    assert.deepEqual(types(events), ['request:1']);
    assert.equal(parser.stats.unknownFrames, 3);
  });

  it('reports 1xx responses as informational, then the final response', () => {
    const { events } = run([
      ['client', [CLIENT_START, headers(1, requestBlock('GET', '/early'), F.END_HEADERS | F.END_STREAM)]],
      ['server', [SERVER_START, headers(1, [...literalNameIndex(8, '103'), ...literal('link', '</a.css>')])]],
      ['server', [headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]],
    ]);
    assert.deepEqual(types(events), ['request:1', 'informational:1', 'response:1', 'end:1:closed']);
    assert.ok(events[1].type === 'informational' && events[1].status === 103);
  });

  it('reports client trailers and server trailers', () => {
    const { events } = run([
      ['client', [CLIENT_START, headers(1, requestBlock('POST', '/up')), data(1, 'body')]],
      ['client', headers(1, literal('x-checksum', 'abc'), F.END_HEADERS | F.END_STREAM)],
      ['server', [SERVER_START, headers(1, STATUS_200), data(1, 'ok'), headers(1, literal('grpc-status', '0'), F.END_HEADERS | F.END_STREAM)]],
    ]);
    assert.deepEqual(types(events), ['request:1', 'data:1', 'trailers:1', 'response:1', 'data:1', 'trailers:1', 'end:1:closed']);
    assert.ok(events[2].type === 'trailers' && events[2].from === 'client');
    assert.ok(events[5].type === 'trailers' && events[5].from === 'server');
  });

  it('follows PUSH_PROMISE as a request from the server on the promised stream', () => {
    const promise = frame(T.PUSH_PROMISE, F.END_HEADERS, 1, [0, 0, 0, 2, ...requestBlock('GET', '/style.css')]);
    const { events } = run([
      ['client', [CLIENT_START, headers(1, requestBlock('GET', '/'), F.END_HEADERS | F.END_STREAM)]],
      ['server', [SERVER_START, promise, headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]],
      ['server', [headers(2, STATUS_200), data(2, 'body{}', true)]],
    ]);
    assert.deepEqual(types(events), ['request:1', 'request:2', 'response:1', 'end:1:closed', 'response:2', 'data:2', 'end:2:closed']);
    assert.ok(events[1].type === 'request' && events[1].promised && events[1].path === '/style.css');
  });

  it('bounds open streams: the oldest is evicted and counted', () => {
    const steps: Step[] = [['client', CLIENT_START]];
    for (let id = 1; id <= 11; id += 2) steps.push(['client', headers(id, requestBlock('GET', `/${id}`), F.END_HEADERS | F.END_STREAM)]);
    const { events, parser } = run(steps, { maxStreams: 4 });
    assert.deepEqual(types(events).filter((t) => t.startsWith('end')), ['end:1:evicted', 'end:3:evicted']);
    assert.equal(parser.stats.streamsEvicted, 2);
    assert.equal(parser.openStreams, 4);
    // A late response for an evicted stream is ignored, not reopened.
    const more = parser.push('server', Buffer.concat([SERVER_START, headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]), 999);
    assert.deepEqual(types(more), []);
  });

  it('end() closes the streams still open', () => {
    const { parser } = run([['client', [CLIENT_START, headers(1, requestBlock('GET', '/hang'), F.END_HEADERS | F.END_STREAM)]]]);
    assert.deepEqual(types(parser.end()), ['end:1:connectionClosed']);
    assert.deepEqual(parser.end(), []);
  });

  it('applies SETTINGS_HEADER_TABLE_SIZE to the other side’s size updates', () => {
    const withSetting = run([
      ['client', [PREFACE, settings([[1, 8192]])]],
      ['server', [SERVER_START, headers(1, [...sizeUpdate(8192), ...STATUS_200])]],
    ]);
    assert.equal(withSetting.parser.broken, false);
    const without = run([
      ['client', [CLIENT_START]],
      ['server', [SERVER_START, headers(1, [...sizeUpdate(8192), ...STATUS_200])]],
    ]);
    assert.equal(without.parser.broken, true);
  });

  it('applies SETTINGS_MAX_FRAME_SIZE to the other side’s frames', () => {
    const big = frame(T.DATA, 0, 1, Buffer.alloc(20000));
    const allowed = run([
      ['server', settings([[5, 32768]])],
      ['client', [CLIENT_START, headers(1, requestBlock('POST', '/big')), big]],
    ]);
    assert.equal(allowed.parser.broken, false);
    assert.deepEqual(types(allowed.events), ['request:1', 'data:1']);
    const refused = run([['client', [CLIENT_START, headers(1, requestBlock('POST', '/big')), big]]]);
    assert.equal(refused.parser.broken, true);
  });

  it('accepts the server’s SETTINGS before the client preface', () => {
    const { events, parser } = run([
      ['server', SERVER_START],
      ['client', [CLIENT_START, headers(1, [...indexed(2), ...indexed(6), ...indexed(4), ...literalIndexed(':authority', 'h')], F.END_HEADERS | F.END_STREAM)]],
      ['client', headers(3, [...indexed(2), ...indexed(6), ...indexed(4), ...indexed(62)], F.END_HEADERS | F.END_STREAM)],
      ['server', headers(1, [...STATUS_200, ...literalIndexed('x-a', '1')], F.END_HEADERS | F.END_STREAM)],
      ['server', headers(3, [...STATUS_200, ...indexed(62)], F.END_HEADERS | F.END_STREAM)],
    ]);
    assert.equal(parser.stats.unknownHeaderFields, 0);
    const s = streamViews(events);
    assert.equal(s.get(3)?.request?.authority, 'h');
    assert.deepEqual(s.get(3)?.response?.headers, [[':status', '200'], ['x-a', '1']]);
  });
});

describe('http2 gaps and late start', () => {
  it('a gap inside a DATA payload is skipped by length: HPACK stays exact', () => {
    const body = data(1, 'x'.repeat(1000));
    const { events, parser } = run([
      ['client', [CLIENT_START, headers(1, [...requestBlock('POST', '/up'), ...literalIndexed('x-k', 'v')])]],
      ['client', body.subarray(0, 20), body.length],
      ['client', headers(1, indexed(62), F.END_HEADERS | F.END_STREAM)],
    ]);
    assert.deepEqual(types(events), ['request:1', 'data:1', 'trailers:1']);
    assert.ok(events[1].type === 'data' && events[1].bytes === 1000);
    assert.ok(events[2].type === 'trailers' && events[2].complete);
    assert.deepEqual(events[2].headers, [['x-k', 'v']]);
    assert.equal(parser.stats.syncLost, 0);
    assert.equal(parser.stats.hpackLost, 0);
  });

  it('a gap inside HEADERS keeps the fields before it and marks later dynamic references unknown', () => {
    const block = Buffer.from([...requestBlock('GET', '/seen'), ...literalIndexed('x-hidden', 'h'.repeat(50))]);
    const hf = frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, block);
    const { events, parser } = run([
      ['client', CLIENT_START],
      ['client', hf.subarray(0, 40), hf.length],
      ['client', headers(3, [...requestBlock('GET', '/next'), ...indexed(62)], F.END_HEADERS | F.END_STREAM)],
    ]);
    const s = streamViews(events);
    assert.equal(s.get(1)?.request?.path, '/seen');
    assert.equal(s.get(1)?.request?.complete, false);
    assert.equal(s.get(3)?.request?.path, '/next');
    assert.equal(s.get(3)?.request?.complete, false, 'index 62 is unknown after the gap');
    assert.equal(parser.stats.hpackLost, 1);
    assert.equal(parser.broken, false);
  });

  it('a gap over a frame header loses alignment until a read starts with plausible frames', () => {
    const h1 = headers(1, requestBlock('GET', '/1'), F.END_HEADERS | F.END_STREAM);
    const h3 = headers(3, requestBlock('GET', '/3'), F.END_HEADERS | F.END_STREAM);
    const { events, parser } = run([
      ['client', CLIENT_START],
      ['client', Buffer.alloc(0), h1.length],
      ['client', Buffer.from('garbage that is no frame')],
      ['client', h3],
    ]);
    assert.deepEqual(types(events), ['request:3']);
    assert.equal(parser.stats.syncLost, 1);
    assert.equal(parser.stats.resyncs, 1);
  });

  it('late start: static and literal values are reported, dynamic ones unknown, never guessed', () => {
    const { events } = run([
      ['client', headers(9, [...indexed(3), ...indexed(63), ...indexed(6), ...literalNameIndex(1, 'svc'), ...indexed(70)], F.END_HEADERS | F.END_STREAM)],
      ['server', headers(9, [...STATUS_200, ...indexed(64)], F.END_HEADERS | F.END_STREAM)],
    ]);
    const s = streamViews(events).get(9)!;
    assert.equal(s.request?.method, 'POST');
    assert.equal(s.request?.path, undefined);
    assert.equal(s.request?.authority, 'svc');
    assert.equal(s.request?.complete, false);
    assert.equal(s.response?.status, 200);
    assert.equal(s.end?.reason, 'closed');
  });

  it('late start: the dynamic entries inserted after the start resolve exactly', () => {
    const { events } = run([
      ['client', headers(9, [...indexed(3), ...literalIndexed(':path', '/svc/M'), ...indexed(6), ...literalIndexed(':authority', 'a')], F.END_HEADERS | F.END_STREAM)],
      ['client', headers(11, [...indexed(3), ...indexed(63), ...indexed(6), ...indexed(62), ...indexed(90)], F.END_HEADERS | F.END_STREAM)],
    ]);
    const s = streamViews(events).get(11)!;
    assert.equal(s.request?.path, '/svc/M');
    assert.equal(s.request?.authority, 'a');
    assert.equal(s.request?.complete, false);
  });

  it('late start: a table size update to 0 makes the state exact again', () => {
    const { events, parser } = run([
      ['client', headers(9, [...indexed(3), ...indexed(70)], F.END_HEADERS | F.END_STREAM)],
      ['client', headers(11, [...sizeUpdate(0), ...sizeUpdate(4096), ...indexed(3), ...literalNameIndex(4, '/x')], F.END_HEADERS | F.END_STREAM)],
    ]);
    const s = streamViews(events);
    assert.equal(s.get(9)?.request?.complete, false);
    assert.equal(s.get(11)?.request?.complete, true);
    assert.equal(parser.broken, false);
  });

  it('fromStart: false distrusts even a preface-looking start', () => {
    const { events, parser } = run(
      [['client', [CLIENT_START, headers(1, [...indexed(2), ...indexed(62)], F.END_HEADERS | F.END_STREAM)]]],
      { fromStart: false },
    );
    assert.equal(parser.broken, false);
    assert.ok(events[0].type === 'request' && !events[0].complete);
  });

  it('a response that overtook its request is still paired', () => {
    const { events } = run([
      ['client', CLIENT_START],
      ['server', [SERVER_START, headers(1, STATUS_200, F.END_HEADERS | F.END_STREAM)]],
      ['client', headers(1, requestBlock('GET', '/fast'), F.END_HEADERS | F.END_STREAM)],
    ]);
    assert.deepEqual(types(events), ['response:1', 'request:1', 'end:1:closed']);
  });
});
