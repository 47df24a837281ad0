import { DEFAULT_HEADER_TABLE_SIZE, DEFAULT_MAX_FRAME_SIZE, FrameType, LARGEST_MAX_FRAME_SIZE, SettingId } from './constants';
import { FrameReader, type FrameHandler } from './FrameReader';
import { HpackDecoder, type DecodedBlock } from './HpackDecoder';
import { isComplete, requestEvent, serverBlockEvent } from './headerEvents';
import { StreamTable, type Http2Stream } from './StreamTable';
import type {
  Http2Direction,
  Http2ErrorEvent,
  Http2Event,
  Http2GoawayEvent,
  Http2ParserLimits,
  Http2ParserOptions,
  Http2ParserStats,
  Http2StreamEndEvent,
  Http2StreamEndReason,
} from './types';

export const DEFAULT_HTTP2_LIMITS: Readonly<Http2ParserLimits> = {
  maxStreams: 1024,
  maxHeaderListSize: 65536,
  maxHeaderBlockBytes: 65536,
  maxTableSize: 65536,
};

function sanitizeLimits(o: Http2ParserOptions | undefined): Http2ParserLimits {
  const pick = (v: number | undefined, dflt: number, min: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : dflt;
  const d = DEFAULT_HTTP2_LIMITS;
  return {
    maxStreams: pick(o?.maxStreams, d.maxStreams, 1),
    maxHeaderListSize: pick(o?.maxHeaderListSize, d.maxHeaderListSize, 64),
    maxHeaderBlockBytes: pick(o?.maxHeaderBlockBytes, d.maxHeaderBlockBytes, 64),
    maxTableSize: pick(o?.maxTableSize, d.maxTableSize, 0),
  };
}

function other(d: Http2Direction): Http2Direction {
  return d === 'client' ? 'server' : 'client';
}

/** Per direction: whether we have decided if its HPACK state starts known. */
const enum Verdict {
  Pending,
  Fresh,
  Late,
}

/**
 * Follows one HTTP/2 connection (RFC 9113) from the bytes each side sent:
 * frames, HPACK state per direction, and streams, turning them into the
 * events documented in types.ts. It never throws; hostile or unfollowable
 * bytes become 'error' events and counters in `stats`.
 */
export class Http2ConnectionParser implements FrameHandler {
  readonly stats: Http2ParserStats = {
    frames: 0,
    unknownFrames: 0,
    headerBlocks: 0,
    unknownHeaderFields: 0,
    gaps: 0,
    unseenBytes: 0,
    syncLost: 0,
    resyncs: 0,
    hpackLost: 0,
    oversizedHeaderBlocks: 0,
    streamsEvicted: 0,
    framesOnClosedStreams: 0,
    errors: 0,
  };
  private readonly limits: Http2ParserLimits;
  private readonly fromStartHint: boolean | undefined;
  private readonly client: FrameReader;
  private readonly server: FrameReader;
  /** HPACK state of what each side sent. */
  private readonly clientHpack: HpackDecoder;
  private readonly serverHpack: HpackDecoder;
  /**
   * Largest SETTINGS_HEADER_TABLE_SIZE each side's decoder may be held to
   * ([0]: for what the client sends, advertised by the server; [1]: the
   * reverse), kept even before a direction's HPACK verdict. Infinity once
   * a SETTINGS frame went partly unseen.
   */
  private readonly advertisedTableSize = [DEFAULT_HEADER_TABLE_SIZE, DEFAULT_HEADER_TABLE_SIZE];
  private clientVerdict = Verdict.Pending;
  private serverVerdict = Verdict.Pending;
  private readonly streams: StreamTable;
  private events: Http2Event[] = [];
  private readonly evicted: Http2Stream[] = [];
  private isBroken = false;
  private ended = false;

  constructor(options?: Http2ParserOptions) {
    this.limits = sanitizeLimits(options);
    this.fromStartHint = options?.fromStart;
    this.client = new FrameReader('client', this, this.limits.maxHeaderBlockBytes);
    this.server = new FrameReader('server', this, this.limits.maxHeaderBlockBytes);
    const hpackLimits = { maxTableSize: this.limits.maxTableSize, maxHeaderListSize: this.limits.maxHeaderListSize };
    this.clientHpack = new HpackDecoder(hpackLimits, undefined);
    this.serverHpack = new HpackDecoder(hpackLimits, undefined);
    this.streams = new StreamTable(this.limits.maxStreams);
  }

  /** The connection broke the protocol; input is ignored from then on. */
  get broken(): boolean {
    return this.isBroken;
  }

  /** Streams currently open. */
  get openStreams(): number {
    return this.streams.size;
  }

  /**
   * Bytes `direction` sent: `captured` is what was copied, `wireLength`
   * the length on the wire; the octets past `captured` went unseen.
   */
  push(direction: Http2Direction, captured: Uint8Array, wireLength: number): Http2Event[] {
    const events: Http2Event[] = [];
    if (this.isBroken || this.ended) return events;
    this.events = events;
    try {
      const wire = Number.isFinite(wireLength) ? Math.max(Math.floor(wireLength), captured.length) : captured.length;
      if (wire > captured.length) {
        this.stats.gaps++;
        this.stats.unseenBytes += wire - captured.length;
      }
      const reader = this.reader(direction);
      const before = reader.frames;
      const lost = reader.syncLost;
      const resyncs = reader.resyncs;
      const unknown = reader.unknownFrames;
      reader.push(captured, wire);
      this.stats.frames += reader.frames - before;
      this.stats.syncLost += reader.syncLost - lost;
      this.stats.resyncs += reader.resyncs - resyncs;
      this.stats.unknownFrames += reader.unknownFrames - unknown;
      if (direction === 'client') this.checkClientStart();
    } catch (err) {
      this.breakConnection(undefined, `internal: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.events = [];
    return events;
  }

  /** The connection closed: every stream still open ends. */
  end(): Http2Event[] {
    const events: Http2Event[] = [];
    if (this.ended) return events;
    this.events = events;
    this.ended = true;
    try {
      for (const s of this.streams.all()) this.endStream(s, 'connectionClosed');
    } catch (err) {
      events.push({ type: 'error', reason: `internal: ${err instanceof Error ? err.message : String(err)}`, fatal: true });
    }
    this.events = [];
    return events;
  }

  // ------------------------------------------------------------ FrameHandler

  onHeaderBlock(r: FrameReader, bytes: Uint8Array, start: number, end: number, truncated: boolean, oversize: boolean): void {
    const from = r.direction;
    this.decideVerdict(from);
    const hpack = this.hpack(from);
    const block = hpack.decode(bytes, start, end, truncated);
    this.stats.headerBlocks++;
    this.stats.unknownHeaderFields += block.unknownFields;
    if (block.error !== undefined) {
      this.hpackError(r, block.error);
      return;
    }
    if (truncated) {
      hpack.table.lose(block.sawField);
      this.stats.hpackLost++;
    }
    if (oversize || block.oversize) {
      this.stats.oversizedHeaderBlocks++;
      this.error(from, r.blockStreamId, 'header list too large', false);
    }
    if (r.blockType === FrameType.PUSH_PROMISE) this.promise(r, block);
    else if (from === 'client') this.clientHeaders(r, block);
    else this.serverHeaders(r, block);
  }

  onData(r: FrameReader, streamId: number, bytes: number, endStream: boolean): void {
    const from = r.direction;
    const s = this.open(streamId, false);
    if (!s) {
      this.stats.framesOnClosedStreams++;
      return;
    }
    if (from === 'client') s.requestBytes += bytes;
    else s.responseBytes += bytes;
    this.events.push({ type: 'data', streamId, from, bytes, endStream });
    if (endStream) this.endHalf(s, from);
  }

  onRstStream(r: FrameReader, streamId: number, errorCode: number | undefined): void {
    const s = this.streams.get(streamId);
    if (!s) {
      this.stats.framesOnClosedStreams++;
      return;
    }
    this.endStream(s, 'reset', errorCode, r.direction);
  }

  onSetting(r: FrameReader, id: number, value: number): void {
    // A side's settings bind what the other side sends.
    const to = other(r.direction);
    if (id === SettingId.HEADER_TABLE_SIZE) {
      // The encoder may still use an earlier, larger size until it sees
      // this one, so the bound only grows.
      const i = to === 'client' ? 0 : 1;
      this.advertisedTableSize[i] = Math.max(this.advertisedTableSize[i], value);
      const hpack = this.hpack(to);
      if (hpack.settingsLimit !== undefined) hpack.settingsLimit = this.advertisedTableSize[i];
    } else if (id === SettingId.MAX_FRAME_SIZE) {
      if (value < DEFAULT_MAX_FRAME_SIZE || value > LARGEST_MAX_FRAME_SIZE) {
        this.error(r.direction, undefined, `bad SETTINGS_MAX_FRAME_SIZE ${value}`, false);
        return;
      }
      const reader = this.reader(to);
      reader.maxFrameSize = Math.max(reader.maxFrameSize, value);
    }
  }

  onSettingsLost(r: FrameReader): void {
    const to = other(r.direction);
    this.advertisedTableSize[to === 'client' ? 0 : 1] = Infinity;
    this.hpack(to).settingsLimit = undefined;
    this.reader(to).maxFrameSize = LARGEST_MAX_FRAME_SIZE;
  }

  onGoaway(r: FrameReader, lastStreamId: number | undefined, errorCode: number | undefined): void {
    const from = r.direction;
    const event: Http2GoawayEvent = { type: 'goaway', from };
    if (lastStreamId !== undefined) event.lastStreamId = lastStreamId;
    if (errorCode !== undefined) event.errorCode = errorCode;
    this.events.push(event);
    if (lastStreamId === undefined) return;
    // Streams the GOAWAY's receiver opened above lastStreamId were never processed.
    const parity = from === 'server' ? 1 : 0;
    for (const s of this.streams.all()) {
      if (s.id % 2 === parity && s.id > lastStreamId) this.endStream(s, 'goaway', errorCode, from);
    }
  }

  onLost(r: FrameReader): void {
    this.decideVerdict(r.direction);
    this.hpack(r.direction).table.lose(false);
    this.stats.hpackLost++;
  }

  onViolation(r: FrameReader, reason: string, fatal: boolean): void {
    if (fatal) this.breakConnection(r.direction, reason);
    else this.error(r.direction, undefined, reason, false);
  }

  // ------------------------------------------------------------ header blocks

  private clientHeaders(r: FrameReader, block: DecodedBlock): void {
    const s = this.open(r.blockStreamId, true);
    if (!s) {
      this.stats.framesOnClosedStreams++;
      return;
    }
    const endStream = r.blockEndStream;
    if (!s.requestSeen) {
      s.requestSeen = true;
      this.events.push(requestEvent(s.id, block, endStream, false));
    } else {
      this.events.push({ type: 'trailers', streamId: s.id, from: 'client', headers: block.headers, complete: isComplete(block) });
    }
    if (endStream) this.endHalf(s, 'client');
  }

  private serverHeaders(r: FrameReader, block: DecodedBlock): void {
    const s = this.open(r.blockStreamId, false);
    if (!s) {
      this.stats.framesOnClosedStreams++;
      return;
    }
    this.events.push(serverBlockEvent(s, block, r.blockEndStream));
    if (r.blockEndStream) this.endHalf(s, 'server');
  }

  /** A PUSH_PROMISE: the server's request on the promised (even) stream. */
  private promise(r: FrameReader, block: DecodedBlock): void {
    const id = r.promisedStreamId;
    if (id === undefined || id === 0 || id % 2 === 1) return;
    const s = this.open(id, true);
    if (!s) return;
    s.requestSeen = true;
    s.clientEnded = true;
    this.events.push(requestEvent(id, block, true, true));
  }

  private hpackError(r: FrameReader, reason: string): void {
    const fatal = !r.heuristic;
    if (fatal) {
      this.breakConnection(r.direction, `HPACK: ${reason}`);
      return;
    }
    this.hpack(r.direction).table.lose(false);
    this.stats.hpackLost++;
    this.error(r.direction, r.blockStreamId, `HPACK: ${reason}`, false);
  }

  // ------------------------------------------------------------ HPACK start state

  /**
   * Decides whether a direction's HPACK state starts known (empty table of
   * 4096 octets) or unknown, before its first header block. The client's
   * side is known if its preface was seen; the server's if its first frame
   * was SETTINGS and the client's side does not show a late start.
   */
  private decideVerdict(d: Http2Direction): void {
    if (d === 'client') {
      if (this.clientVerdict !== Verdict.Pending) return;
      const fresh = this.fromStartHint !== false && this.client.fromStart;
      this.clientVerdict = fresh ? Verdict.Fresh : Verdict.Late;
      if (fresh) this.start(this.clientHpack, this.advertisedTableSize[0]);
      return;
    }
    if (this.serverVerdict !== Verdict.Pending) return;
    const clientLate = this.fromStartHint !== true && this.client.startedLate;
    const fresh = this.fromStartHint !== false && this.server.fromStart && !clientLate;
    this.serverVerdict = fresh ? Verdict.Fresh : Verdict.Late;
    if (fresh) this.start(this.serverHpack, this.advertisedTableSize[1]);
  }

  private start(hpack: HpackDecoder, advertised: number): void {
    hpack.table.reset(DEFAULT_HEADER_TABLE_SIZE);
    hpack.settingsLimit = Number.isFinite(advertised) ? advertised : undefined;
  }

  /**
   * The server's side was judged fresh before the client's first bytes
   * showed the connection had started earlier: take that back.
   */
  private checkClientStart(): void {
    if (this.serverVerdict !== Verdict.Fresh || this.fromStartHint === true || !this.client.startedLate) return;
    this.serverVerdict = Verdict.Late;
    this.serverHpack.table.lose(false);
    this.serverHpack.settingsLimit = undefined;
    this.stats.hpackLost++;
  }

  // ------------------------------------------------------------ streams

  private open(id: number, initiator: boolean): Http2Stream | undefined {
    // A stream is late when its client half may have gone by unseen.
    const late = !(this.client.fromStart && this.client.aligned && !this.client.heuristic);
    const s = this.streams.open(id, initiator, late, this.evicted);
    if (this.evicted.length > 0) {
      for (const e of this.evicted) {
        this.stats.streamsEvicted++;
        this.emitEnd(e, 'evicted');
      }
      this.evicted.length = 0;
    }
    return s;
  }

  private endHalf(s: Http2Stream, from: Http2Direction): void {
    if (from === 'client') s.clientEnded = true;
    else s.serverEnded = true;
    if (s.done) this.endStream(s, 'closed');
  }

  private endStream(s: Http2Stream, reason: Http2StreamEndReason, errorCode?: number, from?: Http2Direction): void {
    this.streams.close(s);
    this.emitEnd(s, reason, errorCode, from);
  }

  private emitEnd(s: Http2Stream, reason: Http2StreamEndReason, errorCode?: number, from?: Http2Direction): void {
    const event: Http2StreamEndEvent = {
      type: 'end',
      streamId: s.id,
      reason,
      requestBytes: s.requestBytes,
      responseBytes: s.responseBytes,
    };
    if (errorCode !== undefined) event.errorCode = errorCode;
    if (from !== undefined) event.from = from;
    this.events.push(event);
  }

  // ------------------------------------------------------------ errors

  private error(from: Http2Direction | undefined, streamId: number | undefined, reason: string, fatal: boolean): void {
    this.stats.errors++;
    const event: Http2ErrorEvent = { type: 'error', reason, fatal };
    if (from !== undefined) event.from = from;
    if (streamId !== undefined) event.streamId = streamId;
    this.events.push(event);
  }

  private breakConnection(from: Http2Direction | undefined, reason: string): void {
    if (this.isBroken) return;
    this.isBroken = true;
    this.error(from, undefined, reason, true);
    this.client.stop();
    this.server.stop();
    for (const s of this.streams.all()) this.endStream(s, 'broken');
  }

  private reader(d: Http2Direction): FrameReader {
    return d === 'client' ? this.client : this.server;
  }

  private hpack(d: Http2Direction): HpackDecoder {
    return d === 'client' ? this.clientHpack : this.serverHpack;
  }
}
