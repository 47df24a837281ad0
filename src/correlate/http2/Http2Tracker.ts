import type { Http2Direction, Http2Event, Http2StreamEndEvent } from '../../protocols/http2/types';
import { ConnRole, Direction, SockDataEvent } from '../../receivers/sockets/types';
import type { Connection } from '../Connection';
import { HttpExchange } from '../HttpExchange';
import { ChunkTimes } from './HeaderBlockStarts';
import { lateHttp2Sender, startsWithPreface } from './detectHttp2';
import { Http2Session } from './Http2Session';
import { Http2StreamInfo } from './Http2StreamInfo';

/** What the tracker needs from the correlator: the same parenting and completion as HTTP/1. */
export interface Http2Hooks {
  /** A stream's request is known: parent its exchange (same-host peer, traceparent, serving thread). */
  parent(ex: HttpExchange): void;
  /** The exchange is over: hold it for export. */
  complete(ex: HttpExchange, endTs: number): void;
  /** The exchange will never complete (not exported): stop counting it as in flight on its thread. */
  dropped(ex: HttpExchange): void;
  /** A thread moved a stream's bytes: its runqueue waits may have delayed the exchange. */
  touchThread(tid: number): void;
}

export interface Http2TrackerStats {
  /** Connections followed as HTTP/2 (since start). */
  connections: number;
  /** Of those, joined mid-way (no preface seen): HPACK state unknown at first. */
  lateConnections: number;
  exchangesStarted: number;
  /** Streams pushed by the server (PUSH_PROMISE): not exported. */
  pushedStreams: number;
  /** Responses, trailers or DATA frames of streams whose request was never seen (late start, gaps). */
  eventsWithoutRequest: number;
  /** Exchanges dropped unexported: stream evicted by the limit, connection broken, or closed with the stream's end unseen. */
  droppedExchanges: number;
  /** Parser errors; fatal ones also count in brokenConnections. */
  parseErrors: number;
  /** Connections that broke the protocol and were dropped from tracking. */
  brokenConnections: number;
}

/**
 * HTTP/2 (h2c, and h2 over TLS through the OpenSSL probes) for the
 * correlator: one Http2ConnectionParser per connection, one HttpExchange
 * per stream, paired by stream id. A SERVER exchange starts at the arrival
 * of the read its HEADERS began in (see start()) and ends with the write
 * carrying the server's END_STREAM; a CLIENT one starts at the write its
 * HEADERS began in and ends with the read carrying that END_STREAM. Frames
 * of several streams sharing a chunk each take that chunk's times. Bad
 * bytes never throw: they are counted and the connection is dropped from
 * tracking.
 */
export class Http2Tracker {
  readonly stats: Http2TrackerStats = {
    connections: 0, lateConnections: 0, exchangesStarted: 0, pushedStreams: 0,
    eventsWithoutRequest: 0, droppedExchanges: 0, parseErrors: 0, brokenConnections: 0,
  };

  constructor(private readonly hooks: Http2Hooks) {}

  /**
   * Whether the chunk belongs to HTTP/2: the connection is followed already,
   * the chunk starts with the client preface, or it is TLS plaintext of a
   * connection joined mid-way whose frames show which side is the client.
   * Starts following the connection when it says yes.
   */
  claims(conn: Connection, ev: SockDataEvent): boolean {
    if (conn.http2) return true;
    if (startsWithPreface(ev.payload)) {
      if (conn.role === ConnRole.Unknown) conn.role = ev.direction === Direction.Egress ? ConnRole.Client : ConnRole.Server;
      this.follow(conn, true);
      return true;
    }
    // Plaintext h2 is only classified by its preface (in the kernel too); TLS plaintext can start anywhere.
    if (!conn.tls || conn.role !== ConnRole.Unknown) return false;
    const sender = lateHttp2Sender(ev.payload, ev.wireLength);
    if (!sender) return false;
    const sentByUs = ev.direction === Direction.Egress;
    conn.role = (sender === 'client') === sentByUs ? ConnRole.Client : ConnRole.Server;
    this.follow(conn, false);
    return true;
  }

  onData(conn: Connection, ev: SockDataEvent): void {
    const session = conn.http2;
    const parser = session?.parser;
    if (!session || !parser) return;
    const from: Http2Direction = (conn.role === ConnRole.Server) === (ev.direction === Direction.Ingress) ? 'client' : 'server';
    if (from === 'client') session.blockStarts.push(ev, ev.payload, ev.wireLength);
    const events = parser.push(from, ev.payload, ev.wireLength);
    for (const e of events) this.onEvent(conn, session, e, ev, ev.exitTs);
  }

  /** The connection closed: streams still open end with it. */
  onClose(conn: Connection, ts: number): void {
    const session = conn.http2;
    const parser = session?.parser;
    if (!session || !parser) return;
    for (const e of parser.end()) this.onEvent(conn, session, e, undefined, ts);
  }

  /** Ends the streams still open as incomplete spans (`why`: error.type), e.g. the process exited or kspan stops. */
  endAll(conn: Connection, why: string, ts: number): void {
    const session = conn.http2;
    if (!session) return;
    for (const ex of [...session.open.values()]) {
      ex.incomplete = why;
      this.finish(session, ex, Math.max(ts, ex.startTs));
    }
  }

  /** Streams in flight on the connection. */
  openStreams(conn: Connection): number {
    return conn.http2?.open.size ?? 0;
  }

  /** The correlator forgets the connection (closed, idle or evicted). */
  forget(conn: Connection): void {
    const session = conn.http2;
    if (!session) return;
    for (const ex of session.kill()) this.hooks.dropped(ex);
  }

  private follow(conn: Connection, fromStart: boolean): void {
    conn.http2 = new Http2Session(fromStart);
    this.stats.connections++;
    if (!fromStart) this.stats.lateConnections++;
  }

  /** `chunk`: the read/write the events came from (undefined at close); `ts`: its end. */
  private onEvent(conn: Connection, session: Http2Session, e: Http2Event, chunk: ChunkTimes | undefined, ts: number): void {
    switch (e.type) {
      case 'request': {
        if (e.promised) {
          this.stats.pushedStreams++;
          return;
        }
        if (!chunk || session.open.has(e.streamId)) return;
        const begin = session.blockStarts.startOf(e.streamId, chunk);
        this.start(conn, session, new Http2StreamInfo(e.streamId, e), begin, session.blockStarts.atChunkStart);
        return;
      }
      case 'response': {
        const ex = this.exchange(session, e.streamId, chunk);
        if (!ex) return;
        ex.http2!.response = e;
        if (e.endStream) this.finish(session, ex, ts);
        return;
      }
      case 'trailers': {
        const ex = e.from === 'server' ? this.exchange(session, e.streamId, chunk) : undefined;
        if (!ex) return;
        ex.http2!.trailers = e;
        this.finish(session, ex, ts);
        return;
      }
      case 'data': {
        const ex = this.exchange(session, e.streamId, chunk);
        if (!ex) return;
        if (e.from === 'client') ex.http2!.requestBytes += e.bytes;
        else ex.http2!.responseBytes += e.bytes;
        if (e.from === 'server' && e.endStream) this.finish(session, ex, ts);
        return;
      }
      case 'end':
        this.onStreamEnd(session, e, ts);
        return;
      case 'error':
        this.stats.parseErrors++;
        if (e.fatal) this.broken(session);
        return;
      default: // informational (1xx) and goaway (its streams get 'end' events)
    }
  }

  /**
   * begin: the chunk the stream's HEADERS frame began in; leading: the
   * frame opened that chunk, so the chunk's arrival is the request's. Else
   * the arrival may be that of other frames read with it (another stream,
   * the preface) and the read's return is the only safe start.
   */
  private start(conn: Connection, session: Http2Session, info: Http2StreamInfo, begin: ChunkTimes, leading: boolean): void {
    const server = conn.role === ConnRole.Server;
    const arrival = leading && begin.arrivalTs > 0 && begin.arrivalTs <= begin.exitTs ? begin.arrivalTs : begin.exitTs;
    const ex = new HttpExchange(server ? 'SERVER' : 'CLIENT', conn, begin.tid, server ? arrival : begin.enterTs);
    ex.firstReadTs = server ? begin.exitTs : 0;
    ex.http2 = info;
    info.syncLostAtStart = session.parser?.stats.syncLost ?? 0;
    // The connect of a connection this process opened delayed its first stream only.
    ex.firstOnConnection = !server && session.streamsStarted === 0;
    session.streamsStarted++;
    session.open.set(info.streamId, ex);
    this.stats.exchangesStarted++;
    this.hooks.touchThread(begin.tid);
    this.hooks.parent(ex);
  }

  /** The open exchange of a stream, noting the thread that moved this chunk. */
  private exchange(session: Http2Session, streamId: number, chunk: ChunkTimes | undefined): HttpExchange | undefined {
    const ex = session.open.get(streamId);
    if (!ex) this.stats.eventsWithoutRequest++;
    else if (chunk && !ex.threads.has(chunk.tid)) {
      ex.threads.add(chunk.tid);
      this.hooks.touchThread(chunk.tid);
    }
    return ex;
  }

  private onStreamEnd(session: Http2Session, e: Http2StreamEndEvent, ts: number): void {
    const ex = session.open.get(e.streamId);
    if (!ex) return; // completed already, or never started
    const info = ex.http2!;
    switch (e.reason) {
      case 'closed':
        break;
      case 'reset':
        info.resetCode = e.errorCode;
        ex.incomplete = 'stream_reset';
        break;
      case 'goaway':
        ex.incomplete = 'stream_refused';
        break;
      case 'connectionClosed':
        // Frames went unseen since the stream began: its end may have been among them.
        if (session.parser?.stats.syncLost !== info.syncLostAtStart) {
          this.drop(session, ex);
          return;
        }
        ex.incomplete = info.response ? 'response_truncated' : 'connection_closed';
        break;
      default: // evicted, broken: when it ended is unknown, so it is not exported
        this.drop(session, ex);
        return;
    }
    this.finish(session, ex, ts);
  }

  private drop(session: Http2Session, ex: HttpExchange): void {
    session.open.delete(ex.http2!.streamId);
    this.stats.droppedExchanges++;
    this.hooks.dropped(ex);
  }

  private finish(session: Http2Session, ex: HttpExchange, ts: number): void {
    const info = ex.http2!;
    info.responseEnded = true;
    info.bytesExact = session.parser?.stats.syncLost === info.syncLostAtStart;
    ex.requestBodyBytes = info.requestBytes;
    ex.responseBodyBytes = info.responseBytes;
    session.finished(info.streamId, ex);
    this.hooks.complete(ex, ts);
  }

  /** A fatal protocol error: drop the connection from tracking, and its open streams unexported. */
  private broken(session: Http2Session): void {
    this.stats.brokenConnections++;
    for (const ex of session.kill()) {
      this.stats.droppedExchanges++;
      this.hooks.dropped(ex);
    }
  }
}
