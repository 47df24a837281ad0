import type { Http1Direction, Http1Head } from './types';

/**
 * Start-line parsing by char codes over text[0, end), equivalent to
 *   request: /^([A-Z0-9_-]{1,20}) ([^\x00-\x20\x7f]+) HTTP\/(1\.[0-9])$/
 *   status:  /^HTTP\/(1\.[0-9]) ([1-9][0-9]{2})(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/
 * without a regex match array, and without slicing the line out of the head.
 */

const HT = 0x09;
const SP = 0x20;
const DEL = 0x7f;
const MAX_METHOD = 20;
/** " HTTP/1.x" ends a request line. */
const VERSION_SUFFIX = 9;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isMethodChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x2d || c === 0x5f;
}

/** "HTTP/1." and a digit at text[at, at + 8). */
function isVersionAt(text: string, at: number): boolean {
  return text.charCodeAt(at) === 0x48 && text.charCodeAt(at + 1) === 0x54 && text.charCodeAt(at + 2) === 0x54 &&
    text.charCodeAt(at + 3) === 0x50 && text.charCodeAt(at + 4) === 0x2f && text.charCodeAt(at + 5) === 0x31 &&
    text.charCodeAt(at + 6) === 0x2e && isDigit(text.charCodeAt(at + 7));
}

/** The "1.x" of a version at `at`; the usual two are shared, not sliced. */
function versionAt(text: string, at: number): string {
  const minor = text.charCodeAt(at + 7);
  return minor === 0x31 ? '1.1' : minor === 0x30 ? '1.0' : text.slice(at + 5, at + 8);
}

function parseRequestLine(text: string, end: number): Http1Head | undefined {
  let sp = 0;
  while (sp < end && sp <= MAX_METHOD && isMethodChar(text.charCodeAt(sp))) sp++;
  if (sp === 0 || sp > MAX_METHOD || sp >= end || text.charCodeAt(sp) !== SP) return undefined;
  // The target cannot hold SP, so the line must end in exactly " HTTP/1.x".
  const targetEnd = end - VERSION_SUFFIX;
  if (targetEnd <= sp + 1 || text.charCodeAt(targetEnd) !== SP || !isVersionAt(text, targetEnd + 1)) return undefined;
  for (let i = sp + 1; i < targetEnd; i++) {
    const c = text.charCodeAt(i);
    if (c <= SP || c === DEL) return undefined;
  }
  return {
    kind: 'request',
    method: text.slice(0, sp),
    target: text.slice(sp + 1, targetEnd),
    version: versionAt(text, targetEnd + 1),
    headers: [],
  };
}

function parseStatusLine(text: string, end: number): Http1Head | undefined {
  // "HTTP/1.x SSS", then nothing or SP and a reason.
  if (end < 12 || !isVersionAt(text, 0) || text.charCodeAt(8) !== SP) return undefined;
  const c0 = text.charCodeAt(9);
  const c1 = text.charCodeAt(10);
  const c2 = text.charCodeAt(11);
  if (c0 < 0x31 || c0 > 0x39 || !isDigit(c1) || !isDigit(c2)) return undefined;
  let reason = '';
  if (end > 12) {
    if (text.charCodeAt(12) !== SP) return undefined;
    for (let i = 13; i < end; i++) {
      const c = text.charCodeAt(i);
      if ((c < SP && c !== HT) || c === DEL) return undefined;
    }
    reason = text.slice(13, end);
  }
  const status = (c0 - 0x30) * 100 + (c1 - 0x30) * 10 + (c2 - 0x30);
  return { kind: 'response', status, reason, version: versionAt(text, 0), headers: [] };
}

/** Parses the start line text[0, end); undefined when it is not HTTP/1.x. */
export function parseStartLine(direction: Http1Direction, text: string, end: number): Http1Head | undefined {
  return direction === 'request' ? parseRequestLine(text, end) : parseStatusLine(text, end);
}
