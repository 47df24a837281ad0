/**
 * Differential test: the scanning HTTP/1 head parser, body framing, route
 * template and Host parsing must give deep-equal results to the previous
 * regex/split implementation (http1Reference.ts) on every fixture head and
 * on thousands of seeded random mutations of them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHost } from '../../../src/correlate/parseHost';
import { routeTemplate } from '../../../src/correlate/routeTemplate';
import { requestFraming, responseFraming } from '../../../src/protocols/http1/framing';
import { parseHead, parsePartialHead } from '../../../src/protocols/http1/parseHead';
import type { Http1Direction, Http1Head } from '../../../src/protocols/http1/types';
import { prng } from '../../fixtures/prng';
import {
  refParseHead,
  refParseHost,
  refParsePartialHead,
  refRequestFraming,
  refResponseFraming,
  refRouteTemplate,
} from './http1Reference';

const FIXTURE_DIR = path.resolve(__dirname, '../../../../test/fixtures/http1');
const DIRECTIONS: Http1Direction[] = ['request', 'response'];
const MUTANTS = 4000;


/** Every head in the recorded streams: each start of a line up to the next blank line. */
function fixtureHeads(): string[] {
  const heads: string[] = [];
  for (const f of fs.readdirSync(FIXTURE_DIR).filter((x) => x.endsWith('.json')).sort()) {
    const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8')) as { request: string[]; response: string[] };
    for (const side of [raw.request, raw.response]) {
      const text = Buffer.concat(side.map((c) => Buffer.from(c, 'base64'))).toString('latin1');
      for (const m of text.matchAll(/(?<=^|\n)(?:[A-Z]+ |HTTP\/1\.)[^]*?\n\r?\n/g)) heads.push(m[0]);
    }
  }
  return heads;
}

const HANDMADE = [
  'GET / HTTP/1.1\nHost: a\nX-Long: one\n two\n\n',
  'GET / HTTP/1.1\r\nX: a\r\n \r\n\t b \t\r\n\r\n',
  'HTTP/1.1 200 OK\r\nX: \r\r\n\r\n',
  'HTTP/1.1 200\r\n\r\n',
  'HTTP/1.1 200 \r\n\r\n',
  'HTTP/1.0 404 Not\tFound\xff\r\n\r\n',
  'HTTP/1.1 099 x\r\n\r\n',
  'GET  / HTTP/1.1\r\n\r\n',
  'ABCDEFGHIJKLMNOPQRST / HTTP/1.1\r\n\r\n',
  'ABCDEFGHIJKLMNOPQRSTU / HTTP/1.1\r\n\r\n',
  'M-_9 * HTTP/1.9\r\n\r\n',
  'GET / HTTP/1.1\r\n: v\r\n:\r\nA:\r\nB :x\r\nC\xe9: y\r\nD:e:f\r\n\r\n',
  'POST / HTTP/1.1\r\nContent-Length: 5, 5\r\ncontent-length:5\r\n\r\n',
  'POST / HTTP/1.1\r\nContent-Length: \xa05\r\n\r\n',
  'POST / HTTP/1.1\r\nContent-Length: 9007199254740991\r\n\r\n',
  'POST / HTTP/1.1\r\nContent-Length: 9007199254740992\r\n\r\n',
  'POST / HTTP/1.1\r\nContent-Length: 0000000000000005\r\n\r\n',
  'POST / HTTP/1.1\r\nContent-Length: 00000000000000005\r\n\r\n',
  'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: , \r\n\r\n',
  'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, CHUNKED \r\n\r\n',
  'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
  'POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n',
  'GET /half HTTP/1.1\r\nHost: a\r\nUser-Ag',
  'GET /half HTTP/1.1\r\n',
  'GET /half HTTP/1.1',
  'GET / HTTP/1.1\r\nX: a\0b\r\n\r\n',
  'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n\r',
  'GET / HTTP/1.1\r\nX: a\r\r\n',
  '',
  '\n',
  '\r\n\r\n',
];

const SNIPPETS = [
  ' ', '\t', '\r\n', '\n', '\r', '\r\n ', '\n\t', ':', ': ', '\0', '\x7f', '\xff', '\xa0', '\x0b', '\x0c', '\u0100', '\u2028',
  '\r\n: v', '\r\nX-A: b', '\r\n x', '\r\nContent-Length: 7', '\r\nContent-Length: 7, 7', '\r\nContent-Length: 7,8',
  '\r\nContent-Length: \t12\t', '\r\ncontent-length: 0', '\r\nTransfer-Encoding: chunked', '\r\nTransfer-Encoding: gzip',
  '\r\nTRANSFER-ENCODING: Chunked , ', ',', ', ,', '(', '"', '@', '/', 'HTTP/1.1', ' HTTP/1.0', 'GET ', '200 ',
];

function mutate(text: string, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const at = (): number => Math.floor(rand() * (text.length + 1));
  const rounds = 1 + Math.floor(rand() * 4);
  for (let r = 0; r < rounds; r++) {
    const i = at();
    switch (Math.floor(rand() * 10)) {
      case 0: text = text.slice(0, i); break; // truncation
      case 1: text = text.slice(0, i) + pick([' ', '\t', '  ', ' \t ']) + text.slice(i); break;
      case 2: text = text.replace('\r\n', pick(['\n', '\r', '\r\r\n', '\n\r'])); break; // bare LF / CR
      case 3: { // obs-fold line after some line
        const lf = text.indexOf('\n', i);
        if (lf >= 0) text = `${text.slice(0, lf + 1)}${pick([' ', '\t', ' \t'])}${pick(['more', '', ' x y ', ':z'])}\r\n${text.slice(lf + 1)}`;
        break;
      }
      case 4: text = text.slice(0, i) + String.fromCharCode(Math.floor(rand() * 256)) + text.slice(i + 1); break;
      case 5: text = text.slice(0, i) + pick(['a', ' ', '7', '\t']).repeat(1 + Math.floor(rand() * 300)) + text.slice(i); break;
      case 6: text = text.slice(0, i) + pick(SNIPPETS) + text.slice(i); break;
      case 7: { // flip case around i
        const j = Math.min(text.length, i + 1 + Math.floor(rand() * 20));
        const mid = text.slice(i, j);
        text = text.slice(0, i) + (rand() < 0.5 ? mid.toUpperCase() : mid.toLowerCase()) + text.slice(j);
        break;
      }
      case 8: text = text.slice(0, i) + text.slice(Math.min(text.length, i + 1 + Math.floor(rand() * 8))); break;
      default: { // swap a header colon for something else, or duplicate a line
        const c = text.indexOf(':', i);
        if (c >= 0 && rand() < 0.5) text = text.slice(0, c) + pick([' :', '', ' ', '::', ';']) + text.slice(c + 1);
        else {
          const lf = text.indexOf('\n', i);
          const prev = text.lastIndexOf('\n', i - 1);
          if (lf > prev) text = text.slice(0, lf + 1) + text.slice(prev + 1, lf + 1) + text.slice(lf + 1);
        }
      }
    }
  }
  return text;
}

function checkFraming(head: Http1Head): void {
  if (head.kind === 'request') {
    assert.deepEqual(requestFraming(head), refRequestFraming(head));
    return;
  }
  for (const method of ['GET', 'HEAD', 'CONNECT']) assert.deepEqual(responseFraming(head, method), refResponseFraming(head, method));
}

/** Both implementations on one input; the message names it when they differ. */
function compare(text: string, maxHeaders: number): void {
  for (const direction of DIRECTIONS) {
    const what = `${direction} max=${maxHeaders} ${JSON.stringify(text)}`;
    const want = refParseHead(direction, text, maxHeaders);
    assert.deepEqual(parseHead(direction, text, maxHeaders), want, what);
    assert.deepEqual(parsePartialHead(direction, text, maxHeaders), refParsePartialHead(direction, text, maxHeaders), `partial ${what}`);
    if ('head' in want) checkFraming(want.head);
  }
}

describe('HTTP/1 head parsing against the previous implementation', () => {
  const heads = fixtureHeads();

  it('finds heads in every fixture', () => {
    assert.ok(heads.length >= 40, `${heads.length} heads`);
  });

  it('agrees on every fixture head and handmade edge case', () => {
    for (const text of [...heads, ...HANDMADE]) for (const max of [0, 1, 2, 64]) compare(text, max);
  });

  it(`agrees on ${MUTANTS} seeded random mutations`, () => {
    const rand = prng(20240611);
    const seeds = [...heads, ...HANDMADE];
    for (let k = 0; k < MUTANTS; k++) {
      const text = mutate(seeds[Math.floor(rand() * seeds.length)], rand);
      compare(text, rand() < 0.8 ? 64 : Math.floor(rand() * 4));
    }
  });
});

describe('span naming helpers against the previous implementation', () => {
  const SEGMENTS = [
    '', 'users', '42', '0', '007', '١٢', 'a1', 'deadbeefdeadbee', 'deadbeefdeadbeef', 'DEADBEEFdeadbeef0', 'deadbeefdeadbeeg',
    '123e4567-e89b-12d3-a456-426614174000', '123E4567-E89B-12D3-A456-426614174000', '123e4567-e89b-12d3-a456-42661417400g',
    '123e4567e-89b-12d3-a456-426614174000', 'abcdefghijklmnopqrs1', 'abcdefghijklmnopqrst', 'abc_def-ghi_jkl-mno1',
    'abcdefghijklmnopqr1', 'v1.2', 'caf\xe9', '%20', 'x'.repeat(40) + '9', '\u212a'.repeat(20) + '1', 'ﬀ'.repeat(16),
  ];

  it('routeTemplate agrees on random paths', () => {
    const rand = prng(7);
    for (const p of ['', '/', '//', '/a/', 'a', '*', 'host:443']) assert.equal(routeTemplate(p), refRouteTemplate(p), p);
    for (let k = 0; k < 3000; k++) {
      const n = Math.floor(rand() * 6);
      const segs: string[] = [];
      for (let i = 0; i < n; i++) {
        let s = SEGMENTS[Math.floor(rand() * SEGMENTS.length)];
        if (rand() < 0.2 && s.length > 0) {
          const j = Math.floor(rand() * s.length);
          s = s.slice(0, j) + String.fromCharCode(Math.floor(rand() * 256)) + s.slice(j + 1);
        }
        segs.push(s);
      }
      const p = (rand() < 0.8 ? '/' : '') + segs.join('/') + (rand() < 0.2 ? '/' : '');
      assert.equal(routeTemplate(p), refRouteTemplate(p), JSON.stringify(p));
    }
  });

  it('parseHost agrees on random Host values', () => {
    const PARTS = ['[', ']', ':', '::1', 'example.com', 'h', '8080', '0080', '99999999999999999999', ' ', '\t', '\xa0', '\u2028', '\n', 'x', '[::1]', '１'];
    const rand = prng(11);
    for (const v of [undefined, '', ' ', '[', ']', '[]', '[]:1', '[a]]', '[abc]x', '[::1]:', ':80', 'h:', 'a:b:1']) {
      assert.deepEqual(parseHost(v), refParseHost(v), JSON.stringify(v));
    }
    for (let k = 0; k < 3000; k++) {
      let v = '';
      for (let n = Math.floor(rand() * 6); n > 0; n--) v += PARTS[Math.floor(rand() * PARTS.length)];
      assert.deepEqual(parseHost(v), refParseHost(v), JSON.stringify(v));
    }
  });
});
