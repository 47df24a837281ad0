/**
 * THE PREVIOUS IMPLEMENTATION, kept for differential testing only: the
 * regex/split-based parseHead, parsePartialHead and body framing as they were
 * before the char-scanning rewrite in src/protocols/http1. Do not optimise or
 * "fix" this file; http1Differential.test.ts asserts that the production code
 * returns deep-equal results on every input, so this is the specification.
 */
import type { HeaderList, Http1Direction, Http1Head, Http1RequestHead, Http1ResponseHead } from '../../../src/protocols/http1/types';

// ------------------------------------------------------------ parseHead.ts

const REQUEST_LINE = /^([A-Z0-9_-]{1,20}) ([^\x00-\x20\x7f]+) HTTP\/(1\.[0-9])$/;
const STATUS_LINE = /^HTTP\/(1\.[0-9]) ([1-9][0-9]{2})(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseStartLine(direction: Http1Direction, line: string): Http1Head | undefined {
  if (direction === 'request') {
    const m = REQUEST_LINE.exec(line);
    if (!m) return undefined;
    return { kind: 'request', method: m[1], target: m[2], version: m[3], headers: [] };
  }
  const m = STATUS_LINE.exec(line);
  if (!m) return undefined;
  return { kind: 'response', status: Number(m[2]), reason: m[3] ?? '', version: m[1], headers: [] };
}

function trimOws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

function addHeaderLine(headers: HeaderList, line: string, maxHeaders: number): boolean {
  if (line.length === 0) return true;
  const first = line.charCodeAt(0);
  if (first === 0x20 || first === 0x09) {
    const last = headers[headers.length - 1];
    if (last) last[1] = trimOws(`${last[1]} ${trimOws(line)}`);
    return true;
  }
  const colon = line.indexOf(':');
  if (colon <= 0) return true;
  const name = line.slice(0, colon);
  if (!TOKEN.test(name)) return true;
  if (headers.length >= maxHeaders) return false;
  headers.push([name.toLowerCase(), trimOws(line.slice(colon + 1))]);
  return true;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

export type RefHeadParseResult = { head: Http1Head } | { error: string; badStartLine: boolean };

export function refParseHead(direction: Http1Direction, text: string, maxHeaders: number): RefHeadParseResult {
  const lines = splitLines(text);
  const head = parseStartLine(direction, lines[0]);
  if (!head) return { error: 'bad start line', badStartLine: true };
  if (text.indexOf('\0') >= 0) return { error: 'NUL in head', badStartLine: false };
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].indexOf('\r') >= 0) return { error: 'bare CR in head', badStartLine: false };
    if (!addHeaderLine(head.headers, lines[i], maxHeaders)) {
      return { error: 'too many headers', badStartLine: false };
    }
  }
  return { head };
}

export function refParsePartialHead(direction: Http1Direction, text: string, maxHeaders: number): Http1Head | undefined {
  const lastLf = text.lastIndexOf('\n');
  if (lastLf < 0) return undefined;
  const lines = splitLines(text.slice(0, lastLf));
  const head = parseStartLine(direction, lines[0]);
  if (!head) return undefined;
  for (let i = 1; i < lines.length; i++) {
    if (!addHeaderLine(head.headers, lines[i], maxHeaders)) break;
  }
  return head;
}

// ------------------------------------------------------------ framing.ts

export type RefBodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' }
  | { kind: 'tunnel' };

const NONE: RefBodyFraming = { kind: 'none' };
const CHUNKED: RefBodyFraming = { kind: 'chunked' };
const CLOSE: RefBodyFraming = { kind: 'close' };
const TUNNEL: RefBodyFraming = { kind: 'tunnel' };

function headerValues(headers: HeaderList, name: string): string[] | undefined {
  let values: string[] | undefined;
  for (const [n, v] of headers) {
    if (n === name) (values ??= []).push(v);
  }
  return values;
}

function isChunked(values: string[]): boolean {
  const codings = values.join(',').split(',');
  for (let i = codings.length - 1; i >= 0; i--) {
    const c = codings[i].trim().toLowerCase();
    if (c !== '') return c === 'chunked';
  }
  return false;
}

function contentLength(values: string[]): number | undefined {
  let length: number | undefined;
  for (const part of values.join(',').split(',')) {
    const s = part.trim();
    if (!/^[0-9]{1,16}$/.test(s)) return undefined;
    const n = Number(s);
    if (!Number.isSafeInteger(n) || (length !== undefined && n !== length)) return undefined;
    length = n;
  }
  return length;
}

export function refRequestFraming(head: Http1RequestHead): RefBodyFraming | string {
  const te = headerValues(head.headers, 'transfer-encoding');
  if (te) return isChunked(te) ? CHUNKED : 'bad transfer-encoding';
  const cl = headerValues(head.headers, 'content-length');
  if (!cl) return NONE;
  const n = contentLength(cl);
  if (n === undefined) return 'bad content-length';
  return n === 0 ? NONE : { kind: 'length', length: n };
}

export function refResponseFraming(head: Http1ResponseHead, method: string): RefBodyFraming | string {
  const status = head.status;
  if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) return TUNNEL;
  if (status < 200 || status === 204 || status === 304 || method === 'HEAD') return NONE;
  const te = headerValues(head.headers, 'transfer-encoding');
  if (te) return isChunked(te) ? CHUNKED : CLOSE;
  const cl = headerValues(head.headers, 'content-length');
  if (!cl) return CLOSE;
  const n = contentLength(cl);
  if (n === undefined) return 'bad content-length';
  return n === 0 ? NONE : { kind: 'length', length: n };
}

// ------------------------------------------------- src/correlate (per span)

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEXISH = /^[0-9a-f]{16,}$/i;
const ID_TOKEN = /^(?=.*\d)[A-Za-z0-9_-]{20,}$/;

export function refRouteTemplate(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((seg) => (NUMERIC.test(seg) || UUID.test(seg) || HEXISH.test(seg) || ID_TOKEN.test(seg) ? '{id}' : seg))
    .join('/');
}

export function refParseHost(value: string | undefined): { name: string; port?: number } | undefined {
  if (!value) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const name = m[1].replace(/^\[|\]$/g, '');
  return m[2] !== undefined ? { name, port: Number(m[2]) } : { name };
}
