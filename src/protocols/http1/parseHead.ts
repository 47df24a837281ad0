import { addHeaderLine } from './headerLine';
import { parseStartLine } from './parseStartLine';
import type { Http1Direction, Http1Head } from './types';

/*
 * Heads are scanned in place: lines are index ranges into the one latin1
 * string, so the only strings made are the fields that are kept.
 */

const LF = 0x0a;
const CR = 0x0d;

/** Result of parsing a head: the head, or the reason it is not one. */
export type HeadParseResult = { head: Http1Head } | { error: string; badStartLine: boolean };

/** End of the line that runs from `start` to the LF at `lf`, less one CR before it. */
function contentEnd(text: string, start: number, lf: number): number {
  return lf > start && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}

/** Index of the next LF at or after `from`, or `limit` if none before it. */
function nextLf(text: string, from: number, limit: number): number {
  const lf = text.indexOf('\n', from);
  return lf < 0 || lf > limit ? limit : lf;
}

/**
 * First CR from `from` on that a line split would not strip, i.e. one not
 * followed by LF and not the last char; text.length if there is none.
 */
function firstBareCr(text: string, from: number): number {
  const n = text.length;
  let cr = text.indexOf('\r', from);
  while (cr >= 0 && (cr + 1 === n || text.charCodeAt(cr + 1) === LF)) cr = text.indexOf('\r', cr + 1);
  return cr < 0 ? n : cr;
}

/**
 * Parses a complete head (start line, header lines, blank line) decoded as
 * latin1 so that every byte maps to one char and nothing can fail to decode.
 * Lines end in LF with an optional CR before it.
 */
export function parseHead(direction: Http1Direction, text: string, maxHeaders: number): HeadParseResult {
  const n = text.length;
  let lf = nextLf(text, 0, n);
  const head = parseStartLine(direction, text, contentEnd(text, 0, lf));
  if (!head) return { error: 'bad start line', badStartLine: true };
  // NUL, and CR that does not end a line, are rejected by every mainstream
  // server; accepting them would let hostile bytes shape the parsed headers.
  if (text.indexOf('\0') >= 0) return { error: 'NUL in head', badStartLine: false };
  // A start line never holds a CR (parseStartLine rejects it), so the first
  // bare CR is in the header line whose content reaches past it.
  const bareCr = firstBareCr(text, lf);
  while (lf < n) {
    const start = lf + 1;
    lf = nextLf(text, start, n);
    const end = contentEnd(text, start, lf);
    if (bareCr < end) return { error: 'bare CR in head', badStartLine: false };
    if (!addHeaderLine(head.headers, text, start, end, maxHeaders)) {
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
  const complete = text.lastIndexOf('\n');
  if (complete < 0) return undefined;
  let lf = nextLf(text, 0, complete);
  const head = parseStartLine(direction, text, contentEnd(text, 0, lf));
  if (!head) return undefined;
  while (lf < complete) {
    const start = lf + 1;
    lf = nextLf(text, start, complete);
    if (!addHeaderLine(head.headers, text, start, contentEnd(text, start, lf), maxHeaders)) break;
  }
  return head;
}
