import type { HeaderList, Http1Direction, Http1Head } from './types';

// Control characters other than HTAB are never valid in a start line.
const REQUEST_LINE = /^([A-Z0-9_-]{1,20}) ([^\x00-\x20\x7f]+) HTTP\/(1\.[0-9])$/;
const STATUS_LINE = /^HTTP\/(1\.[0-9]) ([1-9][0-9]{2})(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses a start line; undefined when it is not HTTP/1.x. */
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

/**
 * Adds one header line to `headers`. Lines without a valid field name are
 * dropped rather than failing the message: a passive observer gains nothing
 * by refusing a message the peer evidently accepted. Returns false only when
 * the header count limit is exceeded.
 */
function addHeaderLine(headers: HeaderList, line: string, maxHeaders: number): boolean {
  if (line.length === 0) return true;
  const first = line.charCodeAt(0);
  if (first === 0x20 || first === 0x09) {
    // Obsolete line folding: the line continues the previous field value.
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

/** Result of parsing a head: the head, or the reason it is not one. */
export type HeadParseResult = { head: Http1Head } | { error: string; badStartLine: boolean };

/**
 * Parses a complete head (start line, header lines, blank line) decoded as
 * latin1 so that every byte maps to one char and nothing can fail to decode.
 */
export function parseHead(direction: Http1Direction, text: string, maxHeaders: number): HeadParseResult {
  const lines = splitLines(text);
  const head = parseStartLine(direction, lines[0]);
  if (!head) return { error: 'bad start line', badStartLine: true };
  // NUL, and CR that does not end a line, are rejected by every mainstream
  // server; accepting them would let hostile bytes shape the parsed headers.
  if (text.indexOf('\0') >= 0) return { error: 'NUL in head', badStartLine: false };
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].indexOf('\r') >= 0) return { error: 'bare CR in head', badStartLine: false };
    if (!addHeaderLine(head.headers, lines[i], maxHeaders)) {
      return { error: 'too many headers', badStartLine: false };
    }
  }
  return { head };
}

/**
 * Best effort for a head cut short by a gap or a close: the start line and
 * the header lines that were complete. Undefined if even the start line is
 * incomplete or invalid.
 */
export function parsePartialHead(
  direction: Http1Direction,
  text: string,
  maxHeaders: number,
): Http1Head | undefined {
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
