import { ChunkedDecoder } from './ChunkedDecoder';
import { HeadAccumulator } from './HeadAccumulator';
import { requestFraming, responseFraming, type BodyFraming } from './framing';
import { endsBeforeStartLine, endsChunkedBody } from './lostChunkedEnd';
import { parseHead, parsePartialHead } from './parseHead';
import { startLinePrefix } from './startLine';
import type { Http1Direction, Http1Event, Http1Head, Http1ParserLimits } from './types';

export const DEFAULT_HTTP1_LIMITS: Readonly<Http1ParserLimits> = { maxHeadBytes: 16384, maxHeaders: 64 };

/**
 * idle: between messages. head: collecting a start line and headers.
 * length / chunked / close: in a body delimited by Content-Length, chunked
 * framing, or the connection closing. chunkedLost: in a chunked body whose
 * framing a gap made us lose (see lostChunkedEnd.ts). resync: after an
 * error, looking for a start line. tunnel: no longer HTTP/1.x at all.
 */
type State = 'idle' | 'head' | 'length' | 'chunked' | 'chunkedLost' | 'close' | 'resync' | 'tunnel';

const LF = 0x0a;
const CR = 0x0d;
/** Bounds the method FIFO if responses stop arriving (e.g. lost to gaps). */
const MAX_PENDING_METHODS = 256;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sanitizeLimits(limits: Partial<Http1ParserLimits> | undefined): Http1ParserLimits {
  const pick = (v: number | undefined, dflt: number, min: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : dflt;
  return {
    maxHeadBytes: pick(limits?.maxHeadBytes, DEFAULT_HTTP1_LIMITS.maxHeadBytes, 64),
    maxHeaders: pick(limits?.maxHeaders, DEFAULT_HTTP1_LIMITS.maxHeaders, 0),
  };
}

/**
 * Incremental HTTP/1.x parser for one direction of one TCP connection, fed
 * with what the kernel copied of each read/write: the first bytes, the
 * syscall's full length, and optionally its last bytes. It never throws from
 * push/end; bad bytes become 'error' events followed by resynchronisation.
 *
 * Every 'start' is followed, in this or a later push, by exactly one 'end' or
 * 'error' before the next 'start'; a 'head' comes between them when the head
 * could be parsed. An 'error' without a preceding 'start' is possible only
 * for internal failures.
 */
export class Http1StreamParser {
  private readonly limits: Http1ParserLimits;
  private state: State = 'idle';
  private events: Http1Event[] = [];
  private readonly methods: string[] = [];
  private readonly chunked = new ChunkedDecoder();
  private readonly head: HeadAccumulator;

  private headPrefixOk = false;
  private headStrict = false;

  private messageOpen = false;
  private methodTaken = false;
  private interim = false;
  private remaining = 0;
  private bodyBytes = 0;

  /** For resync: whether the next byte to scan begins a line. */
  private lineStart = true;
  private origin = 0;
  private originLineStart = true;

  constructor(readonly direction: Http1Direction, limits?: Partial<Http1ParserLimits>) {
    this.limits = sanitizeLimits(limits);
    this.head = new HeadAccumulator(this.limits.maxHeadBytes);
  }

  /** Response direction: the method of the next request, in request order. */
  expectResponseTo(method: string): void {
    if (this.methods.length >= MAX_PENDING_METHODS) this.methods.shift();
    this.methods.push(String(method).toUpperCase());
  }

  /**
   * The connection stopped carrying HTTP/1.x (the peer answered 101 or a
   * CONNECT with 2xx). The response parser notices by itself; the
   * correlator calls this on the request parser. A message in progress is
   * dropped without an event.
   */
  tunnel(): void {
    this.state = 'tunnel';
    this.messageOpen = false;
    this.head.reset();
  }

  get tunnelled(): boolean {
    return this.state === 'tunnel';
  }

  /**
   * One syscall's data: `captured` is what the kernel copied (its first
   * bytes), `wireLength` the syscall's full length, `tail` its last bytes.
   */
  push(captured: Uint8Array, wireLength: number, tail?: Uint8Array): Http1Event[] {
    const events: Http1Event[] = [];
    this.events = events;
    try {
      this.pushUnsafe(asBuffer(captured), wireLength, tail);
    } catch (err) {
      this.fail(`internal: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.events = [];
    return events;
  }

  /** The connection closed: ends a close-delimited body, flags truncation. */
  end(): Http1Event[] {
    const events: Http1Event[] = [];
    this.events = events;
    try {
      if (this.state === 'head') this.fail('truncated', this.partialHead());
      else if (this.state === 'length' || this.state === 'chunked') this.fail('truncated');
      // After lost sync the close is the best estimate of the body's end.
      else if (this.state === 'close' || this.state === 'chunkedLost') this.finish();
    } catch (err) {
      events.push({ type: 'error', reason: `internal: ${err instanceof Error ? err.message : String(err)}` });
    }
    this.state = 'idle';
    this.messageOpen = false;
    this.methods.length = 0;
    this.lineStart = true;
    this.head.reset();
    this.events = [];
    return events;
  }

  private pushUnsafe(buf: Buffer, wireLength: number, tail: Uint8Array | undefined): void {
    const seen = buf.length;
    const wire = Number.isFinite(wireLength) && wireLength > seen ? Math.floor(wireLength) : seen;
    this.lineStart = true; // a syscall boundary is the likeliest message boundary
    this.feed(buf, 0, seen);
    const gap = wire - seen;
    if (gap <= 0) {
      this.checkLostEnd(buf, true);
      return;
    }
    if (!tail || tail.length === 0) {
      this.skip(gap);
      return;
    }
    // The tail may overlap the captured bytes; only its fresh part is fed.
    const t = asBuffer(tail);
    const visible = t.subarray(t.length - Math.min(t.length, wire));
    const fresh = Math.min(visible.length, gap);
    if (gap > fresh) this.skip(gap - fresh);
    else this.lineStart = seen === 0 || buf[seen - 1] === LF;
    this.feed(visible, visible.length - fresh, visible.length);
    this.checkLostEnd(visible, visible.length >= wire);
  }

  private feed(buf: Buffer, pos: number, end: number): void {
    this.origin = pos;
    this.originLineStart = this.lineStart;
    while (pos < end) {
      const before = pos;
      const state = this.state;
      switch (state) {
        case 'idle':
          pos = this.feedIdle(buf, pos, end);
          break;
        case 'head':
          pos = this.feedHead(buf, pos, end);
          break;
        case 'length':
          pos = this.feedLength(pos, end);
          break;
        case 'chunked':
          pos = this.feedChunked(buf, pos, end);
          break;
        case 'chunkedLost':
          pos = this.feedChunkedLost(buf, pos, end);
          break;
        case 'close':
          this.bodyBytes += end - pos;
          pos = end;
          break;
        case 'resync':
          pos = this.feedResync(buf, pos, end);
          break;
        case 'tunnel':
          pos = end;
          break;
      }
      if (pos === before && this.state === state) throw new Error(`no progress in ${state}`);
    }
  }

  /** `n` bytes of the syscall were not copied to us. */
  private skip(n: number): void {
    this.lineStart = false;
    switch (this.state) {
      case 'idle':
        // Whatever follows a finished message begins the next one.
        this.beginMessage(false);
        this.fail('gap in head');
        return;
      case 'head':
        this.fail('gap in head', this.partialHead());
        return;
      case 'length': {
        const used = Math.min(n, this.remaining);
        this.remaining -= used;
        this.bodyBytes += used;
        if (this.remaining === 0) {
          this.finish();
          if (n > used) this.skip(n - used);
        }
        return;
      }
      case 'chunked':
        this.bodyBytes += n;
        if (!this.chunked.skip(n)) this.state = 'chunkedLost';
        return;
      case 'chunkedLost':
      case 'close':
        this.bodyBytes += n;
        return;
      default:
    }
  }

  private checkLostEnd(region: Buffer, atSyscallStart: boolean): void {
    if (this.state === 'chunkedLost' && endsChunkedBody(region, atSyscallStart)) this.finish();
  }

  private feedIdle(buf: Buffer, pos: number, end: number): number {
    // Stray CRLFs between messages are allowed (RFC 9112 section 2.2).
    while (pos < end && (buf[pos] === CR || buf[pos] === LF)) pos++;
    if (pos < end) this.beginMessage(false);
    return pos;
  }

  private feedResync(buf: Buffer, pos: number, end: number): number {
    while (pos < end) {
      if (this.lineStart) {
        const b = buf[pos];
        if (b === CR || b === LF) {
          pos++;
          continue;
        }
        if (startLinePrefix(this.direction, buf, pos, end, true) !== 'no') {
          this.beginMessage(true);
          return pos;
        }
      }
      const lf = buf.indexOf(LF, pos);
      if (lf < 0 || lf >= end) {
        this.lineStart = false;
        return end;
      }
      this.lineStart = true;
      pos = lf + 1;
    }
    return pos;
  }

  private feedHead(buf: Buffer, pos: number, end: number): number {
    const earlier = this.head.length;
    const limit = Math.min(end, pos + this.limits.maxHeadBytes - earlier);
    const stop = this.head.findEnd(buf, pos, limit);
    const segEnd = stop < 0 ? limit : stop;
    // Judge the start line first: garbage should resume after its first line,
    // not after maxHeadBytes.
    if (!this.headPrefixOk && earlier === 0) {
      const verdict = startLinePrefix(this.direction, buf, pos, segEnd, this.headStrict);
      if (verdict === 'no') return this.failBadStartLine(buf, pos, segEnd, earlier);
      this.headPrefixOk = verdict === 'yes';
    }
    if (stop < 0 && limit < end) {
      this.failAt('head too large', buf, limit);
      return limit;
    }
    if (stop < 0 || earlier > 0) this.head.append(buf, pos, segEnd);
    if (!this.headPrefixOk && earlier > 0) {
      const held = this.head.bytes;
      const verdict = startLinePrefix(this.direction, held, 0, held.length, this.headStrict);
      if (verdict === 'no') return this.failBadStartLine(buf, pos, segEnd, earlier);
      this.headPrefixOk = verdict === 'yes';
    }
    if (stop < 0) return segEnd;

    // Decoded once, straight from where the head lies (no subarray view).
    const text = earlier > 0 ? this.head.text() : buf.toString('latin1', pos, segEnd);
    const parsed = parseHead(this.direction, text, this.limits.maxHeaders);
    if ('error' in parsed) {
      if (parsed.badStartLine) return this.failBadStartLine(buf, pos, segEnd, earlier);
      this.failAt(parsed.error, buf, segEnd);
      return segEnd;
    }
    this.head.reset();
    this.startBody(parsed.head, buf, segEnd);
    return segEnd;
  }

  private startBody(head: Http1Head, buf: Buffer, at: number): void {
    let framing: BodyFraming | string;
    if (head.kind === 'request') {
      framing = requestFraming(head);
    } else {
      this.interim = head.status < 200 && head.status !== 101;
      framing = responseFraming(head, this.interim ? this.peekMethod() : this.takeMethod());
    }
    if (typeof framing === 'string') {
      this.failAt(framing, buf, at);
      return;
    }
    this.events.push({ type: 'head', head });
    switch (framing.kind) {
      case 'none':
        this.finish();
        return;
      case 'tunnel':
        this.finish();
        this.state = 'tunnel';
        return;
      case 'length':
        this.remaining = framing.length;
        this.state = 'length';
        return;
      case 'chunked':
        this.chunked.reset();
        this.state = 'chunked';
        return;
      case 'close':
        this.state = 'close';
    }
  }

  private feedLength(pos: number, end: number): number {
    const n = Math.min(this.remaining, end - pos);
    this.remaining -= n;
    this.bodyBytes += n;
    if (this.remaining === 0) this.finish();
    return pos + n;
  }

  private feedChunked(buf: Buffer, pos: number, end: number): number {
    const next = this.chunked.feed(buf, pos, end);
    this.bodyBytes += next - pos;
    if (this.chunked.error !== undefined) this.failAt(this.chunked.error, buf, next);
    else if (this.chunked.done) this.finish();
    return next;
  }

  private feedChunkedLost(buf: Buffer, pos: number, end: number): number {
    const isStart = (at: number): boolean => startLinePrefix(this.direction, buf, at, end, true) !== 'no';
    const next = endsBeforeStartLine(buf, pos, end, isStart);
    if (next < 0) {
      this.bodyBytes += end - pos;
      return end;
    }
    this.bodyBytes += next - pos;
    this.finish();
    return next;
  }

  private beginMessage(strict: boolean): void {
    this.events.push({ type: 'start' });
    this.state = 'head';
    this.messageOpen = true;
    this.methodTaken = false;
    this.interim = false;
    this.bodyBytes = 0;
    this.head.reset();
    this.headPrefixOk = false;
    this.headStrict = strict;
  }

  private finish(): void {
    this.events.push({ type: 'end', interim: this.interim, bodyBytes: this.bodyBytes });
    this.messageOpen = false;
    this.state = 'idle';
  }

  private fail(reason: string, partial?: Http1Head): void {
    const event: Http1Event = { type: 'error', reason };
    if (partial) event.partial = partial;
    this.events.push(event);
    // A response we could not follow still answered a request, unless it
    // was visibly interim; keep the method FIFO aligned with that guess.
    const interim = partial?.kind === 'response' && partial.status < 200 && partial.status !== 101;
    if (this.direction === 'response' && this.messageOpen && !this.methodTaken && !interim) {
      this.takeMethod();
    }
    this.messageOpen = false;
    this.state = 'resync';
    this.head.reset();
  }

  /** Fails and resumes scanning at buf[resume]. */
  private failAt(reason: string, buf: Buffer, resume: number): void {
    this.fail(reason);
    this.lineStart = resume > this.origin ? buf[resume - 1] === LF : this.originLineStart;
  }

  /**
   * A start line that is not HTTP/1.x: resume right after its first LF, so
   * a real message on the next line is found even within the same chunk.
   */
  private failBadStartLine(buf: Buffer, pos: number, segEnd: number, earlier: number): number {
    const earlierHasLf = earlier > 0 && this.head.hasLineEnd(earlier);
    const lf = earlierHasLf ? -1 : buf.indexOf(LF, pos);
    const resume = lf >= 0 && lf < segEnd ? lf + 1 : segEnd;
    this.failAt('bad start line', buf, resume);
    return resume;
  }

  private partialHead(): Http1Head | undefined {
    if (this.head.length === 0) return undefined;
    return parsePartialHead(this.direction, this.head.text(), this.limits.maxHeaders);
  }

  private peekMethod(): string {
    return this.methods[0] ?? 'GET';
  }

  private takeMethod(): string {
    this.methodTaken = true;
    return this.methods.shift() ?? 'GET';
  }
}
