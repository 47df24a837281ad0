import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Http2ConnectionParser, type Http2Event, type Http2ParserOptions } from '../../../src/protocols/http2';
import {
  F,
  PREFACE,
  T,
  data,
  frame,
  frameHeader,
  headers,
  indexed,
  literal,
  literalIndexed,
  loadFixture,
  prng,
  requestBlock,
  settings,
} from '../../fixtures/http2/wire';
import { streamViews } from '../../fixtures/http2/views';

const CLIENT_START = Buffer.concat([PREFACE, settings()]);

function feed(from: 'client' | 'server', chunks: Buffer[], options?: Http2ParserOptions): { events: Http2Event[]; parser: Http2ConnectionParser } {
  const parser = new Http2ConnectionParser(options);
  const events: Http2Event[] = [];
  for (const c of chunks) {
    assert.doesNotThrow(() => events.push(...parser.push(from, c, c.length)));
  }
  return { events, parser };
}

function fatalReason(events: Http2Event[]): string | undefined {
  const e = events.find((x) => x.type === 'error' && x.fatal);
  return e?.type === 'error' ? e.reason : undefined;
}

/** A client connection whose bytes after the preface are `rest`; must break the connection. */
function assertBreaks(rest: Buffer[], pattern: RegExp, from: 'client' | 'server' = 'client'): void {
  const start = from === 'client' ? CLIENT_START : settings();
  const { events, parser } = feed(from, [start, headers(from === 'client' ? 1 : 2, requestBlock('GET', '/open')), ...rest]);
  assert.equal(parser.broken, true, `expected broken by ${pattern}`);
  assert.match(fatalReason(events) ?? '', pattern);
  // Open streams end as broken, and later input is ignored.
  if (from === 'client') assert.ok(events.some((e) => e.type === 'end' && e.reason === 'broken'));
  assert.deepEqual(parser.push(from, headers(5, requestBlock('GET', '/later')), 100), []);
  assert.equal(parser.stats.errors, 1);
}

describe('http2 hostile input: bad frames break the connection, never throw', () => {
  it('bad frame lengths for fixed-size frames', () => {
    assertBreaks([frame(T.RST_STREAM, 0, 1, [0, 0, 0, 8, 0])], /RST_STREAM length/);
    assertBreaks([frame(T.PING, 0, 0, [1, 2, 3])], /PING length/);
    assertBreaks([frame(T.SETTINGS, 0, 0, [0, 1, 0, 0, 0, 0, 9])], /SETTINGS length/);
    assertBreaks([frame(T.SETTINGS, F.ACK, 0, [0, 1, 0, 0, 0, 0])], /SETTINGS ACK/);
    assertBreaks([frame(T.WINDOW_UPDATE, 0, 0, [0, 0, 1])], /WINDOW_UPDATE length/);
    assertBreaks([frame(T.PRIORITY, 0, 1, [0, 0, 0, 0])], /PRIORITY length/);
    assertBreaks([frame(T.GOAWAY, 0, 0, [0, 0, 0, 0])], /GOAWAY shorter/);
  });

  it('huge frames beyond SETTINGS_MAX_FRAME_SIZE', () => {
    assertBreaks([frameHeader(T.DATA, 0, 1, 0xffffff)], /above max frame size/);
    assertBreaks([frameHeader(T.HEADERS, F.END_HEADERS, 3, 16385)], /above max frame size/);
  });

  it('frames on the wrong stream', () => {
    assertBreaks([data(0, 'x')], /on stream 0/);
    assertBreaks([frame(T.SETTINGS, 0, 3, [])], /on stream 3/);
    assertBreaks([headers(4, requestBlock('GET', '/even'))], /even stream/);
    assertBreaks([frame(T.PUSH_PROMISE, F.END_HEADERS, 1, [0, 0, 0, 2])], /PUSH_PROMISE from a client/);
  });

  it('CONTINUATION without HEADERS, and a header block interrupted', () => {
    assertBreaks([frame(T.CONTINUATION, F.END_HEADERS, 1, [0x82])], /CONTINUATION without HEADERS/);
    assertBreaks([frame(T.HEADERS, 0, 3, [0x82]), data(3, 'x')], /interrupted/);
    assertBreaks([frame(T.HEADERS, 0, 3, [0x82]), frame(T.CONTINUATION, F.END_HEADERS, 5, [0x86])], /interrupted/);
    assertBreaks([frame(T.HEADERS, 0, 3, [0x82]), frame(0x0b, 0, 3, [1, 2])], /interrupted/);
  });

  it('padding longer than the payload', () => {
    assertBreaks([frame(T.DATA, F.PADDED, 1, [10, 1, 2, 3])], /padding longer/);
    assertBreaks([frame(T.HEADERS, F.PADDED | F.END_HEADERS, 3, [200, 0x82])], /padding longer/);
    assertBreaks([frame(T.DATA, F.PADDED, 1, [])], /too short/);
    assertBreaks([frame(T.HEADERS, F.PADDED | F.PRIORITY | F.END_HEADERS, 3, [0, 0, 0])], /too short/);
  });

  it('HPACK index out of range, and bad HPACK', () => {
    assertBreaks([headers(3, [...indexed(2), ...indexed(62)])], /HPACK: index 62 out of range/);
    assertBreaks([headers(3, [0x80])], /HPACK: index 0/);
    assertBreaks([headers(3, [0x00, 0x83, 0xff, 0xff, 0xff, 0x00])], /HPACK: bad Huffman/);
    assertBreaks([headers(3, [0x00, 0x0a, 0x61])], /HPACK: header block ends inside a field/);
  });

  it('a bad connection preface', () => {
    const { events, parser } = feed('client', [Buffer.from('PRI * HTTP/1.1\r\n\r\n')]);
    assert.equal(parser.broken, true);
    assert.match(fatalReason(events) ?? '', /preface/);
  });

  it('garbage after a valid start', () => {
    const { parser } = feed('client', [CLIENT_START, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    assert.equal(parser.broken, true);
  });

  it('bad SETTINGS_MAX_FRAME_SIZE values are reported, not applied', () => {
    const { events, parser } = feed('server', [settings([[5, 100]])]);
    assert.equal(parser.broken, false);
    assert.ok(events.some((e) => e.type === 'error' && !e.fatal && /MAX_FRAME_SIZE/.test(e.reason)));
  });
});

describe('http2 hostile input: limits', () => {
  it('an oversized header list is reported and trimmed, and HPACK stays in sync', () => {
    const { events, parser } = feed(
      'client',
      [
        CLIENT_START,
        headers(1, [...requestBlock('GET', '/big'), ...literal('x-a', 'a'.repeat(300)), ...literalIndexed('x-b', 'b'.repeat(100))], F.END_HEADERS | F.END_STREAM),
        headers(3, [...requestBlock('GET', '/next'), ...indexed(62)], F.END_HEADERS | F.END_STREAM),
      ],
      { maxHeaderListSize: 500 },
    );
    assert.equal(parser.broken, false);
    assert.equal(parser.stats.oversizedHeaderBlocks, 1);
    const s = streamViews(events);
    assert.equal(s.get(1)?.request?.path, '/big');
    assert.equal(s.get(1)?.request?.complete, false);
    assert.deepEqual(s.get(3)?.request?.headers.at(-1), ['x-b', 'b'.repeat(100)]);
    assert.equal(s.get(3)?.request?.complete, true);
    assert.ok(events.some((e) => e.type === 'error' && e.streamId === 1 && !e.fatal));
  });

  it('a compressed block over the buffer limit keeps its beginning and loses HPACK sync', () => {
    const block = Buffer.from([...requestBlock('GET', '/huge'), ...literal('x-pad', 'p'.repeat(3000))]);
    const frames: Buffer[] = [frame(T.HEADERS, 0, 1, block.subarray(0, 1000))];
    for (let at = 1000; at < block.length; at += 1000) {
      const end = Math.min(at + 1000, block.length);
      frames.push(frame(T.CONTINUATION, end === block.length ? F.END_HEADERS : 0, 1, block.subarray(at, end)));
    }
    const { events, parser } = feed('client', [CLIENT_START, ...frames], { maxHeaderBlockBytes: 1500 });
    assert.equal(parser.broken, false);
    assert.equal(parser.stats.oversizedHeaderBlocks, 1);
    assert.equal(parser.stats.hpackLost, 1);
    const req = events.find((e) => e.type === 'request');
    assert.ok(req?.type === 'request' && req.path === '/huge' && !req.complete);
  });

  it('many streams stay bounded', () => {
    const chunks: Buffer[] = [CLIENT_START];
    for (let id = 1; id < 2 * 5000; id += 2) chunks.push(headers(id, requestBlock('GET', '/'), F.END_HEADERS));
    const { parser } = feed('client', chunks);
    assert.equal(parser.openStreams, 1024);
    assert.equal(parser.stats.streamsEvicted, 5000 - 1024);
  });
});

describe('http2 hostile input: garbage and fuzz', () => {
  it('random bytes, from either side, never throw', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = prng(seed);
      const parser = new Http2ConnectionParser();
      for (let i = 0; i < 20; i++) {
        const n = Math.floor(rnd() * 300);
        const b = Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
        const wire = rnd() < 0.2 ? n + Math.floor(rnd() * 1000) : n;
        assert.doesNotThrow(() => parser.push(rnd() < 0.5 ? 'client' : 'server', b, wire));
      }
      assert.doesNotThrow(() => parser.end());
    }
  });

  it('mutated recordings never throw and keep the event grammar', () => {
    const f = loadFixture('grpcjs-grpcjs');
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = prng(seed);
      const mutate = (chunks: Buffer[]): Buffer[] =>
        chunks.map((c) => {
          const m = Buffer.from(c);
          const flips = Math.floor(rnd() * 3);
          for (let i = 0; i < flips; i++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
          return m;
        });
      const parser = new Http2ConnectionParser();
      const events: Http2Event[] = [];
      for (const c of mutate(f.request)) events.push(...parser.push('client', c, c.length));
      for (const c of mutate(f.response)) events.push(...parser.push('server', c, c.length));
      events.push(...parser.end());
      assert.doesNotThrow(() => streamViews(events), `seed ${seed}`);
      assert.ok(events.every((e) => e.type !== 'error' || !e.reason.startsWith('internal')), `seed ${seed}`);
    }
  });

  it('odd wire lengths (NaN, smaller than captured, negative) are tolerated', () => {
    const parser = new Http2ConnectionParser();
    assert.doesNotThrow(() => parser.push('client', CLIENT_START, Number.NaN));
    assert.doesNotThrow(() => parser.push('client', headers(1, requestBlock('GET', '/x')), -5));
    assert.doesNotThrow(() => parser.push('client', Buffer.alloc(0), 0));
    assert.equal(parser.broken, false);
    assert.equal(parser.openStreams, 1);
  });

  it('a push made of a non-Buffer Uint8Array works the same', () => {
    const bytes = Buffer.concat([CLIENT_START, headers(1, requestBlock('GET', '/u8'), F.END_HEADERS | F.END_STREAM)]);
    const copy = new Uint8Array(bytes);
    const parser = new Http2ConnectionParser();
    const events = parser.push('client', copy, copy.length);
    assert.ok(events[0].type === 'request' && events[0].path === '/u8');
  });
});
