import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prng } from '../../fixtures/prng';
import {
  Http1StreamParser,
  splitTarget,
  type Http1Direction,
  type Http1Event,
  type Http1Head,
} from '../../../src/protocols/http1';

const FIXTURE_DIR = path.resolve(__dirname, '../../../../test/fixtures/http1');
const CAP = 64;
const TAIL = 16;

// ---------------------------------------------------------------- helpers

interface Fixture {
  description: string;
  request: Buffer[];
  response: Buffer[];
}

function loadFixture(name: string): Fixture {
  const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as {
    description: string;
    request: string[];
    response: string[];
  };
  const decode = (list: string[]): Buffer[] => list.map((c) => Buffer.from(c, 'base64'));
  return { description: raw.description, request: decode(raw.request), response: decode(raw.response) };
}

type Mode = 'recorded' | 'bytewise' | 'capped';

/** Feeds chunks as one syscall each, simulating what the kernel would copy. */
function feed(p: Http1StreamParser, chunks: Buffer[], mode: Mode): Http1Event[] {
  const out: Http1Event[] = [];
  for (const c of chunks) {
    if (mode === 'bytewise') {
      for (let i = 0; i < c.length; i++) out.push(...p.push(c.subarray(i, i + 1), 1));
    } else if (mode === 'capped') {
      out.push(...p.push(c.subarray(0, CAP), c.length, c.subarray(Math.max(0, c.length - TAIL))));
    } else {
      out.push(...p.push(c, c.length));
    }
  }
  out.push(...p.end());
  return out;
}

interface Message {
  head?: Http1Head;
  partial?: Http1Head;
  end?: { interim: boolean; bodyBytes: number };
  error?: string;
}

/**
 * Groups events into messages and checks the event grammar:
 * start, [head], then exactly one end or error.
 */
function messages(events: Http1Event[]): Message[] {
  const out: Message[] = [];
  let open: Message | undefined;
  for (const e of events) {
    if (e.type === 'start') {
      assert.equal(open, undefined, 'start while a message is open');
      open = {};
      out.push(open);
      continue;
    }
    assert.ok(open, `${e.type} outside a message: ${JSON.stringify(e)}`);
    if (e.type === 'head') {
      assert.equal(open.head, undefined, 'two heads');
      open.head = e.head;
    } else if (e.type === 'end') {
      assert.ok(open.head, 'end without head');
      open.end = { interim: e.interim, bodyBytes: e.bodyBytes };
      open = undefined;
    } else {
      assert.ok(!e.reason.startsWith('internal'), e.reason);
      open.error = e.reason;
      if (e.partial) open.partial = e.partial;
      open = undefined;
    }
  }
  return out;
}

/** What a message says about itself, from its head or its partial head. */
function identity(m: Message): string | undefined {
  const h = m.head ?? m.partial;
  if (!h) return undefined;
  return h.kind === 'request' ? `${h.method} ${h.target}` : String(h.status);
}

function methodsOf(msgs: Message[]): string[] {
  const out: string[] = [];
  for (const m of msgs) {
    const h = m.head ?? m.partial;
    if (h?.kind === 'request') out.push(h.method);
  }
  return out;
}

function parseExchange(f: Fixture, mode: Mode): { req: Message[]; res: Message[]; events: Http1Event[][] } {
  const reqEvents = feed(new Http1StreamParser('request'), f.request, mode);
  const req = messages(reqEvents);
  const rp = new Http1StreamParser('response');
  for (const m of methodsOf(req)) rp.expectResponseTo(m);
  const resEvents = feed(rp, f.response, mode);
  return { req, res: messages(resEvents), events: [reqEvents, resEvents] };
}

function header(h: Http1Head | undefined, name: string): string | undefined {
  return h?.headers.find(([n]) => n === name)?.[1];
}

/** Is `sub` a subsequence of `full`? */
function isSubsequence(sub: string[], full: string[]): boolean {
  let i = 0;
  for (const x of full) if (i < sub.length && sub[i] === x) i++;
  return i === sub.length;
}

/** Pushes whole strings, one syscall each, fully captured. */
function run(direction: Http1Direction, ...chunks: Array<string | Buffer>): Http1Event[] {
  const p = new Http1StreamParser(direction);
  const out: Http1Event[] = [];
  for (const c of chunks) {
    const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
    out.push(...p.push(b, b.length));
  }
  return out;
}

function types(events: Http1Event[]): string {
  return events.map((e) => (e.type === 'error' ? `error(${e.reason})` : e.type)).join(' ');
}

// ---------------------------------------------------------------- fixtures

interface Expectation {
  requests: string[];
  /** Response statuses in order, interim ones included. */
  responses: number[];
  check?: (req: Message[], res: Message[]) => void;
  /** Messages still identified (head or partial) with 64-byte captures. */
  capped: { requests: number; responses: number };
}

const CURL_UA = (req: Message[]): void => {
  for (const m of req) assert.match(header(m.head, 'user-agent') ?? '', /^curl\//);
};

const FIXTURES: Record<string, Expectation> = {
  'curl-node-keepalive': {
    requests: ['GET /a', 'GET /b?q=2'],
    responses: [200, 200],
    check: (req, res) => {
      CURL_UA(req);
      assert.deepEqual(res.map((m) => m.end?.bodyBytes), [14, 18]);
      assert.equal(header(res[0].head, 'connection'), 'keep-alive');
    },
    capped: { requests: 2, responses: 2 },
  },
  'curl-node-post': {
    requests: ['POST /echo'],
    responses: [200],
    check: (req, res) => {
      assert.equal(header(req[0].head, 'content-length'), '22');
      assert.equal(req[0].end?.bodyBytes, 22);
      assert.equal(res[0].end?.bodyBytes, Number(header(res[0].head, 'content-length')));
    },
    capped: { requests: 1, responses: 1 },
  },
  'curl-node-chunked': {
    requests: ['GET /chunked'],
    responses: [200],
    check: (_req, res) => {
      assert.equal(header(res[0].head, 'transfer-encoding'), 'chunked');
      assert.equal(header(res[0].head, 'content-length'), undefined);
      // Wire bytes after the head, chunk framing included.
      assert.equal(res[0].end?.bodyBytes, 16 + 35 + 15 + 5);
    },
    capped: { requests: 1, responses: 1 },
  },
  'curl-node-early-hints': {
    requests: ['GET /early'],
    responses: [103, 200],
    check: (_req, res) => {
      assert.equal(header(res[0].head, 'link'), '</style.css>; rel=preload; as=style');
      assert.equal(res[1].end?.bodyBytes, 18);
    },
    capped: { requests: 1, responses: 2 },
  },
  'node-node-continue': {
    requests: ['POST /upload?id=7'],
    responses: [100, 200],
    check: (req, res) => {
      assert.equal(header(req[0].head, 'expect'), '100-continue');
      assert.equal(req[0].end?.bodyBytes, 36);
      assert.equal(header(res[1].head, 'connection'), 'close');
    },
    capped: { requests: 1, responses: 2 },
  },
  'wrk-node': {
    requests: Array<string>(10).fill('GET /wrk'),
    responses: Array<number>(10).fill(200),
    check: (req) => assert.ok(req.every((m) => m.head?.kind === 'request' && m.head.headers.length === 1)),
    capped: { requests: 10, responses: 10 },
  },
  'pipelined-node': {
    requests: ['GET /p1', 'GET /p2?x=1', 'POST /p3'],
    responses: [200, 200, 200],
    check: (req, res) => {
      assert.equal(req[2].end?.bodyBytes, 11);
      assert.equal(header(res[2].head, 'connection'), 'close');
    },
    // One write carries all three: only the first start line is visible.
    capped: { requests: 1, responses: 1 },
  },
  'curl-python-static': {
    requests: ['GET /hello.txt'],
    responses: [200],
    check: (_req, res) => {
      const h = res[0].head;
      assert.equal(h?.kind === 'response' && h.version, '1.0');
      assert.equal(res[0].end?.bodyBytes, 30);
    },
    capped: { requests: 1, responses: 1 },
  },
  'curl-python-cgi': {
    requests: ['GET /cgi-bin/hello.sh'],
    responses: [200],
    check: (_req, res) => {
      const h = res[0].head;
      assert.equal(h?.kind === 'response' && h.reason, 'Script output follows');
      // The script's header lines end in bare LF; they are headers all the same.
      assert.equal(header(h, 'content-type'), 'text/plain');
      assert.equal(header(h, 'content-length'), undefined);
      assert.equal(res[0].end?.bodyBytes, 'cgi output, no length\n'.length);
    },
    capped: { requests: 1, responses: 1 },
  },
  'curl-nginx': {
    requests: ['GET /static.txt', 'HEAD /static.txt', 'GET /static.txt'],
    responses: [200, 200, 304],
    check: (req, res) => {
      assert.ok(header(req[2].head, 'if-modified-since'));
      assert.deepEqual(res.map((m) => m.end?.bodyBytes), [560, 0, 0]);
      // The HEAD response announces a length it does not send.
      assert.equal(header(res[1].head, 'content-length'), '560');
      assert.ok(header(res[2].head, 'etag'));
    },
    capped: { requests: 3, responses: 3 },
  },
};

describe('Http1StreamParser on recorded fixtures', () => {
  it('has a fixture file for every expectation and vice versa', () => {
    const files = fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    assert.deepEqual(files.sort(), Object.keys(FIXTURES).sort());
  });

  for (const [name, exp] of Object.entries(FIXTURES)) {
    describe(name, () => {
      const f = loadFixture(name);
      const full = parseExchange(f, 'recorded');

      it('parses the recorded chunks', () => {
        const { req, res } = full;
        assert.deepEqual(req.map(identity), exp.requests);
        assert.deepEqual(res.map(identity), exp.responses.map(String));
        for (const m of [...req, ...res]) assert.equal(m.error, undefined);
        assert.deepEqual(
          res.map((m) => m.end?.interim),
          exp.responses.map((s) => s < 200),
        );
        exp.check?.(req, res);
      });

      it('gives the same events when fed one byte at a time', () => {
        const bytewise = parseExchange(f, 'bytewise');
        assert.deepEqual(bytewise.events, full.events);
      });

      it('survives 64-byte captures with 16-byte tails', () => {
        const { req, res } = parseExchange(f, 'capped');
        const ids = (ms: Message[]): string[] => ms.map(identity).filter((x): x is string => x !== undefined);
        assert.ok(req.length <= exp.requests.length && res.length <= exp.responses.length);
        assert.ok(isSubsequence(ids(req), exp.requests), `${ids(req)}`);
        assert.ok(isSubsequence(ids(res), exp.responses.map(String)), `${ids(res)}`);
        assert.equal(ids(req).length, exp.capped.requests);
        assert.equal(ids(res).length, exp.capped.responses);
        // A head that fit in the capture is parsed exactly as with full data;
        // a head cut by the gap keeps the header lines it had complete.
        const fullMsgs = [...full.req, ...full.res];
        for (const m of [...req, ...res]) {
          if (m.head) assert.ok(fullMsgs.some((f) => JSON.stringify(f.head) === JSON.stringify(m.head)));
          const part = m.partial;
          if (!part) continue;
          const n = part.headers.length;
          assert.ok(fullMsgs.some((f) => identity(f) === identity(m) &&
            JSON.stringify(f.head?.headers.slice(0, n)) === JSON.stringify(part.headers)));
        }
        // Interim responses are short enough to survive the capture.
        assert.equal(res.filter((m) => m.end?.interim).length, exp.responses.filter((s) => s < 200).length);
      });
    });
  }
});

// ---------------------------------------------------------------- framing

describe('Http1StreamParser framing', () => {
  it('parses pipelined requests and a request split at every position', () => {
    const text = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.0\r\n\r\n';
    const whole = run('request', text);
    assert.equal(types(whole), 'start head end start head end start head end');
    for (let i = 1; i < text.length; i++) {
      assert.deepEqual(run('request', text.slice(0, i), text.slice(i)), whole, `split at ${i}`);
    }
  });

  it('decodes chunked bodies with extensions and trailers across chunks', () => {
    const text =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' +
      '5;name=value\r\nhello\r\nA \r\n0123456789\r\n000;last\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n' +
      'HTTP/1.1 204 No Content\r\n\r\n';
    const whole = run('response', text);
    assert.equal(types(whole), 'start head end start head end');
    for (let i = 1; i < text.length; i++) {
      assert.deepEqual(run('response', text.slice(0, i), text.slice(i)), whole, `split at ${i}`);
    }
  });

  it('ends 1xx as interim and lets the real response follow in the same chunk', () => {
    const ev = run('response', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const ends = ev.filter((e) => e.type === 'end');
    assert.deepEqual(ends, [
      { type: 'end', interim: true, bodyBytes: 0 },
      { type: 'end', interim: true, bodyBytes: 0 },
      { type: 'end', interim: false, bodyBytes: 2 },
    ]);
  });

  it('gives HEAD, 204 and 304 responses no body, using the method FIFO', () => {
    const p = new Http1StreamParser('response');
    p.expectResponseTo('HEAD');
    p.expectResponseTo('get');
    const text =
      'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n' +
      'HTTP/1.1 204 No Content\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const ev = p.push(Buffer.from(text), text.length);
    assert.deepEqual(messages(ev).map((m) => m.end?.bodyBytes), [0, 0, 0, 2]);
  });

  it('reads HTTP/1.0 and Connection: close bodies without length until end()', () => {
    for (const head of ['HTTP/1.0 200 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n']) {
      const p = new Http1StreamParser('response');
      assert.equal(types(p.push(Buffer.from(head + 'abc'), head.length + 3)), 'start head');
      assert.equal(types(p.push(Buffer.from('defg'), 4)), '');
      assert.deepEqual(p.end(), [{ type: 'end', interim: false, bodyBytes: 7 }]);
    }
  });

  it('treats a request without length as bodiless, and Expect: 100-continue as normal', () => {
    const ev = run('request', 'POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n', 'ok', 'DELETE /y HTTP/1.1\r\n\r\n');
    assert.equal(types(ev), 'start head end start head end');
  });

  it('accepts bare LF line endings and folded header lines', () => {
    const ev = run('request', 'GET / HTTP/1.1\nHost: a\nX-Long: one\n two\n\n');
    const m = messages(ev)[0];
    assert.deepEqual(m.head?.headers, [['host', 'a'], ['x-long', 'one two']]);
  });

  it('stops parsing after 101 and CONNECT 2xx, and on tunnel()', () => {
    const p = new Http1StreamParser('response');
    p.expectResponseTo('CONNECT');
    const ev = p.push(Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01garbage'), 49);
    assert.equal(types(ev), 'start head end');
    assert.equal(p.tunnelled, true);
    assert.equal(types(run('response', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', '\x81\x05hello')), 'start head end');
    const q = new Http1StreamParser('request');
    q.push(Buffer.from('CONNECT h:443 HTTP/1.1\r\n\r\n'), 26);
    q.tunnel();
    assert.deepEqual(q.push(Buffer.from('\x16\x03\x01\x02\x00'), 5), []);
  });
});

// ---------------------------------------------------------------- gaps

describe('Http1StreamParser gaps (captured < wireLength)', () => {
  const HEAD = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n';

  it('consumes a gap inside a Content-Length body', () => {
    const p = new Http1StreamParser('response');
    const first = Buffer.from(HEAD + 'x'.repeat(10));
    assert.equal(types(p.push(first, HEAD.length + 600)), 'start head');
    assert.deepEqual(p.push(Buffer.from('y'.repeat(64)), 400), [{ type: 'end', interim: false, bodyBytes: 1000 }]);
    assert.equal(types(p.push(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'), 27)), 'start head end');
  });

  it('flags a message that starts inside a gap after a body ended', () => {
    const p = new Http1StreamParser('response');
    const ev = p.push(Buffer.from(HEAD), HEAD.length + 1000 + 50);
    assert.equal(types(ev), 'start head end start error(gap in head)');
    assert.equal(types(p.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), 19)), 'start head');
  });

  it('reports a gap inside a head with the partial start line and resynchronises', () => {
    const p = new Http1StreamParser('request');
    const req = 'GET /very/long/path?x=1 HTTP/1.1\r\nHost: example\r\nUser-Agent: some-long-agent-string\r\n\r\n';
    const ev = p.push(Buffer.from(req.slice(0, 64)), req.length, Buffer.from(req.slice(-16)));
    assert.equal(types(ev), 'start error(gap in head)');
    const err = ev[1];
    assert.ok(err.type === 'error' && err.partial?.kind === 'request');
    assert.equal(err.partial.method, 'GET');
    assert.equal(err.partial.target, '/very/long/path?x=1');
    assert.deepEqual(err.partial.headers, [['host', 'example']]);
    assert.equal(types(p.push(Buffer.from('GET /next HTTP/1.1\r\n\r\n'), 22)), 'start head end');
  });

  it('stays in sync when a gap falls inside chunk data', () => {
    const p = new Http1StreamParser('response');
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n';
    p.push(Buffer.from(head + 'a'.repeat(10)), head.length + 256);
    const ev = p.push(Buffer.from('\r\n0\r\n\r\n'), 7);
    assert.deepEqual(ev, [{ type: 'end', interim: false, bodyBytes: 5 + 256 + 7 }]);
  });

  it('ends a chunked body after lost sync when the tail ends with the last-chunk', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = '400\r\n' + 'z'.repeat(1024) + '\r\n10\r\n' + 'q'.repeat(16) + '\r\n0\r\n\r\n';
    const p = new Http1StreamParser('response');
    const ev = p.push(Buffer.from(head + body.slice(0, 10)), head.length + body.length, Buffer.from(body.slice(-16)));
    assert.equal(types(ev), 'start head end');
    // Without a tail the close is the end.
    const q = new Http1StreamParser('response');
    q.push(Buffer.from(head + '400\r\nzz'), head.length + 5000);
    assert.equal(types(q.push(Buffer.from('zzzz'), 3000)), '');
    assert.equal(types(q.end()), 'end');
  });

  it('ends a lost chunked body on a separate last-chunk write or trailers', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const p = new Http1StreamParser('response');
    p.push(Buffer.from(head + '2000\r\n'), head.length + 9000);
    assert.equal(types(p.push(Buffer.from('more data that ends a chunk\r\n'), 8000)), '');
    assert.equal(types(p.push(Buffer.from('0\r\n\r\n'), 5)), 'end');
    const q = new Http1StreamParser('response');
    q.push(Buffer.from(head + '2000\r\n'), head.length + 9000);
    const tail = Buffer.from('\r\n0\r\nX-Sum: 42\r\n\r\n');
    assert.equal(types(q.push(Buffer.from('x'.repeat(64)), 9000, tail)), 'end');
  });

  it('finds the next response right after a lost chunked body in the same write', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const p = new Http1StreamParser('response');
    p.push(Buffer.from(head + '2000\r\n'), head.length + 9000);
    const next = 'abc\r\n0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
    assert.equal(types(p.push(Buffer.from(next), next.length)), 'end start head end');
  });
});

// ---------------------------------------------------------------- hostile


describe('Http1StreamParser hostile input', () => {
  it('never throws on random bytes, random chunking, gaps and tails', () => {
    const rand = prng(42);
    const alphabet = Buffer.from('GET POST HTTP/1.1 200 \r\n\r\n0\r\n:;chunked Transfer-Encoding Content-Length 12 \x00\xff');
    for (let round = 0; round < 300; round++) {
      for (const dir of ['request', 'response'] as const) {
        const p = new Http1StreamParser(dir, { maxHeadBytes: 1 + Math.floor(rand() * 4096) });
        const events: Http1Event[] = [];
        for (let k = 0; k < 20; k++) {
          const len = Math.floor(rand() * 300);
          const b = Buffer.alloc(len);
          for (let i = 0; i < len; i++) b[i] = rand() < 0.7 ? alphabet[Math.floor(rand() * alphabet.length)] : Math.floor(rand() * 256);
          const wire = rand() < 0.3 ? len + Math.floor(rand() * 5000) : len;
          const tail = rand() < 0.5 ? b.subarray(Math.max(0, len - 16)) : undefined;
          events.push(...p.push(b, wire, tail));
        }
        events.push(...p.end());
        messages(events);
      }
    }
  });

  it('rejects a 1 MB header with bounded memory and finds the next request', () => {
    const big = `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(1 << 20)}\r\n\r\nGET /next HTTP/1.1\r\n\r\n`;
    const ev = run('request', big);
    assert.equal(types(ev), 'start error(head too large) start head end');
    const p = new Http1StreamParser('request', { maxHeadBytes: 4096 });
    const out: Http1Event[] = [];
    const b = Buffer.from(big.slice(0, 70000));
    for (let i = 0; i < b.length; i += 7) {
      out.push(...p.push(b.subarray(i, i + 7), Math.min(7, b.length - i)));
      assert.ok((p as unknown as { head: { capacity: number } }).head.capacity <= 4096);
    }
    assert.equal(types(out), 'start error(head too large)');
  });

  it('rejects bad Content-Length values and resynchronises', () => {
    for (const cl of ['-1', '99999999999999999999', 'abc', '1e3', '0x10', '5, 6', '', '+5']) {
      for (const dir of ['request', 'response'] as const) {
        const first = dir === 'request' ? 'POST / HTTP/1.1' : 'HTTP/1.1 200 OK';
        const next = dir === 'request' ? 'GET /after HTTP/1.1\r\n\r\n' : 'HTTP/1.1 204 No Content\r\n\r\n';
        const ev = run(dir, `${first}\r\nContent-Length: ${cl}\r\n\r\nxxxxx\r\n${next}`);
        assert.equal(types(ev), 'start error(bad content-length) start head end', `${dir} ${cl}`);
      }
    }
    assert.equal(types(run('request', 'POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nok')), 'start head end');
  });

  it('rejects bad chunk framing', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const cases: Array<[string, string]> = [
      ['zz\r\n', 'bad chunk size'],
      ['-1\r\n', 'bad chunk size'],
      ['fffffffffffffffff\r\n', 'chunk size too large'],
      ['3\r\nabcX', 'missing CRLF after chunk data'],
      ['3\rx', 'bad chunk size line'],
      [`1;${'e'.repeat(20000)}\r\n`, 'chunk extensions too long'],
    ];
    for (const [body, reason] of cases) assert.equal(types(run('response', head + body)), `start head error(${reason})`);
    assert.equal(types(run('request', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n')), 'start error(bad transfer-encoding)');
  });

  it('rejects NUL bytes in heads', () => {
    assert.equal(types(run('request', 'GET /\0 HTTP/1.1\r\n\r\n')), 'start error(bad start line)');
    assert.equal(types(run('request', 'GET / HTTP/1.1\r\nX: a\0b\r\n\r\n')), 'start error(NUL in head)');
    assert.equal(types(run('request', '\0GET / HTTP/1.1\r\n\r\n')), 'start error(bad start line)');
    assert.equal(types(run('response', 'HTTP/1.1 200 OK\r\nX: \r\r\n\r\n')), 'start error(bare CR in head)');
  });

  it('finds a valid request after garbage, in the same chunk or the next', () => {
    const garbage = Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello\x00\x01\r\nnot http either\r\n');
    const ev = run('request', Buffer.concat([garbage, Buffer.from('GET /ok HTTP/1.1\r\nHost: h\r\n\r\n')]));
    assert.equal(types(ev), 'start error(bad start line) start head end');
    const m = messages(ev)[1];
    assert.equal(m.head?.kind === 'request' && m.head.target, '/ok');
    const ev2 = run('request', 'garbage without newline', 'PUT /x HTTP/1.1\r\nContent-Length: 1\r\n\r\n!');
    assert.equal(types(ev2), 'start error(bad start line) start head end');
    const ev3 = run('response', 'SSH-2.0-OpenSSH_9.2\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal(types(ev3), 'start error(bad start line) start head end');
  });

  it('enforces maxHeaders and maxHeadBytes', () => {
    const many = Array.from({ length: 70 }, (_, i) => `X-${i}: v\r\n`).join('');
    assert.equal(types(run('request', `GET / HTTP/1.1\r\n${many}\r\n`)), 'start error(too many headers)');
    const p = new Http1StreamParser('request', { maxHeaders: 2, maxHeadBytes: 64 });
    assert.equal(types(p.push(Buffer.from('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n'), 30)), 'start head end');
    assert.equal(types(p.push(Buffer.from('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'), 36)), 'start error(too many headers)');
    const long = `GET /${'p'.repeat(100)} HTTP/1.1\r\n\r\n`;
    assert.equal(types(p.push(Buffer.from(long), long.length)), 'start error(head too large)');
  });

  it('reports truncated streams on end()', () => {
    const cases: Array<[Http1Direction, string, string]> = [
      ['request', 'GET /half HTTP/1.1\r\nHost: a\r\nUser-Ag', 'start error(truncated)'],
      ['request', 'POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc', 'start head error(truncated)'],
      ['response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', 'start head error(truncated)'],
      ['response', 'HTTP/1.1 200 OK\r\n\r\npartial', 'start head end'],
      ['request', 'GE', 'start error(truncated)'],
    ];
    for (const [dir, text, want] of cases) {
      const p = new Http1StreamParser(dir);
      const ev = [...p.push(Buffer.from(text), text.length), ...p.end()];
      assert.equal(types(ev), want, text);
    }
    const p = new Http1StreamParser('request');
    const half = Buffer.from('GET /half HTTP/1.1\r\nHost: a\r\nUser-Ag');
    p.push(half, half.length);
    const [err] = p.end();
    assert.ok(err.type === 'error' && err.partial?.kind === 'request' && err.partial.target === '/half');
  });

  it('tolerates nonsense arguments', () => {
    const p = new Http1StreamParser('request', { maxHeadBytes: -5, maxHeaders: Number.NaN });
    assert.deepEqual(p.push(Buffer.alloc(0), 0), []);
    assert.equal(types(p.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'), -1)), 'start head end');
    assert.equal(types(p.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'), Number.NaN, Buffer.alloc(0))), 'start head end');
    const bad = p.push(null as unknown as Uint8Array, 5);
    assert.equal(bad.length, 1);
    assert.equal(bad[0].type, 'error');
  });
});

describe('splitTarget', () => {
  it('splits origin, absolute and asterisk forms', () => {
    assert.deepEqual(splitTarget('/a/b?x=1&y=2'), { path: '/a/b', query: 'x=1&y=2' });
    assert.deepEqual(splitTarget('/a/b'), { path: '/a/b' });
    assert.deepEqual(splitTarget('/a?'), { path: '/a', query: '' });
    assert.deepEqual(splitTarget('http://host:8080/p/q?z'), { path: '/p/q', query: 'z' });
    assert.deepEqual(splitTarget('https://host'), { path: '/' });
    assert.deepEqual(splitTarget('http://host?q=1'), { path: '/', query: 'q=1' });
    assert.deepEqual(splitTarget('*'), { path: '*' });
    assert.deepEqual(splitTarget('/p#frag'), { path: '/p' });
  });
});
