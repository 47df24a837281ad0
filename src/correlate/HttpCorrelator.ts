import * as fs from 'fs';
import { Http1Event, Http1Head } from '../protocols/http1/types';
import { MonotonicClock } from '../receivers/MonotonicClock';
import {
  ConnRole, Direction, SockCloseEvent, SockDataEvent, SockOpenEvent, SocketEventSink, TlsBindEvent,
} from '../receivers/sockets/types';
import { Connection, MAX_PENDING_EXCHANGES } from './Connection';
import { HttpExchange } from './HttpExchange';
import { Http2Tracker } from './http2/Http2Tracker';
import { PeerMatcher } from './PeerMatcher';
import { SpanBuilder } from './SpanBuilder';
import { KspanSpan, ProcessIdentity } from './span';
import { parseTraceparent } from './TraceContext';
import { ThreadActivity } from './ThreadActivity';
import { UnboundTlsQueue } from './UnboundTlsQueue';
import { KernelAttributor } from './kernel/KernelAttributor';

export interface CorrelatorOptions {
  /** How long a finished exchange waits for late events before export, ms. */
  holdMs: number;
  redactQuery: boolean;
  /** Connections idle this long are forgotten (their process may have died without close), ms. */
  idleConnectionMs?: number;
  maxConnections?: number;
}

export interface CorrelatorStats {
  connections: number;
  exchangesStarted: number;
  spansEmitted: number;
  parseErrors: number;
  /** Heads longer than the capture (payload_bytes): start line kept, the rest lost. */
  truncatedHeads: number;
  responsesWithoutRequest: number;
  /** TLS plaintext dropped because its connection never became known. */
  unboundTlsDropped: number;
  unclassifiedChunks: number;
  droppedExchanges: number;
  evictedConnections: number;
}

export type SpanSink = (span: KspanSpan) => void;
export type ProcessLookup = (pid: number, comm?: string) => ProcessIdentity;
export type ProcessFilter = (process: ProcessIdentity) => boolean;

const REQUEST_START = /^(GET|POST|PUT|HEAD|DELETE|PATCH|OPTIONS|CONNECT|TRACE) /;

/**
 * Socket events → HTTP/1.x exchanges → spans. Owns the per-connection parsers,
 * pairs responses with requests in order, parents spans (same-host peer,
 * traceparent, serving thread), and holds finished spans briefly so late
 * kernel events can still attach before export.
 */
export class HttpCorrelator implements SocketEventSink {
  readonly stats: CorrelatorStats = {
    connections: 0, exchangesStarted: 0, spansEmitted: 0, parseErrors: 0, truncatedHeads: 0,
    responsesWithoutRequest: 0, unboundTlsDropped: 0, unclassifiedChunks: 0, droppedExchanges: 0, evictedConnections: 0,
  };
  private readonly conns = new Map<bigint, Connection>();
  private readonly peers = new PeerMatcher();
  private readonly threads = new ThreadActivity();
  private readonly held: HttpExchange[] = [];
  private readonly unboundTls = new UnboundTlsQueue();
  private readonly builder: SpanBuilder;
  /** HTTP/2 connections: their streams become exchanges there, parented and completed here. */
  private readonly http2 = new Http2Tracker({
    parent: (ex) => this.parentOf(ex),
    complete: (ex, ts) => this.complete(ex, ts),
    dropped: (ex) => this.threads.end(ex),
    touchThread: (tid) => this.kernel?.touchThread(tid),
  });
  private readonly idleMs: number;
  private readonly maxConns: number;

  constructor(
    private readonly clock: MonotonicClock,
    private readonly processes: ProcessLookup,
    private readonly sink: SpanSink,
    private readonly options: CorrelatorOptions,
    private readonly processFilter: ProcessFilter = () => true,
    /** Kernel child spans (runqueue, TCP); absent when those families are off. */
    private readonly kernel?: KernelAttributor,
  ) {
    this.builder = new SpanBuilder(clock, options.redactQuery);
    this.idleMs = options.idleConnectionMs ?? 10 * 60_000;
    this.maxConns = options.maxConnections ?? 65536;
  }

  onOpen(ev: SockOpenEvent): void {
    const old = this.conns.get(ev.connId);
    if (old) this.forget(old);
    const process = this.processes(ev.tgid, ev.comm);
    if (!this.processFilter(process)) return;
    const conn = new Connection(ev.connId, ev.tgid, ev.fd, ev.role, process,
      ev.localAddress, ev.localPort, ev.remoteAddress, ev.remotePort);
    if (this.conns.size >= this.maxConns) this.evictOldest();
    this.conns.set(ev.connId, conn);
    this.peers.add(conn);
    this.stats.connections = this.conns.size;
  }

  onData(ev: SockDataEvent): void {
    if (ev.ssl !== undefined && ev.connId === 0n) {
      // TLS plaintext written before its connection was known (memory BIO): wait for the bind.
      this.unboundTls.hold(ev);
      return;
    }
    const conn = this.conns.get(ev.connId);
    if (!conn) return; // open not seen (lost, or process filtered out)
    if (ev.ssl !== undefined) conn.tls = true;
    conn.lastActivityMs = Date.now();
    if (this.http2.claims(conn, ev)) {
      this.http2.onData(conn, ev); // HTTP/2 preface seen (or TLS h2 joined mid-way): not for the HTTP/1 parsers
      return;
    }
    if (conn.role === ConnRole.Unknown && !this.inferRole(conn, ev)) {
      this.stats.unclassifiedChunks++;
      return;
    }
    const isRequest = (conn.role === ConnRole.Server) === (ev.direction === Direction.Ingress);
    this.noteThread(isRequest ? conn.receiving : conn.pending[0], ev.tid);
    if (isRequest) {
      const events = conn.requestParser.push(ev.payload, ev.wireLength, ev.tail);
      for (const e of events) this.onRequestEvent(conn, e, ev);
    } else {
      conn.lastResponseDataTs = ev.exitTs;
      const events = conn.responseParser.push(ev.payload, ev.wireLength, ev.tail);
      for (const e of events) this.onResponseEvent(conn, e, ev.exitTs);
    }
  }

  onTlsBind(ev: TlsBindEvent): void {
    const conn = this.conns.get(ev.connId);
    if (conn) conn.tls = true;
    for (const held of this.unboundTls.release(ev.tgid, ev.ssl)) {
      held.connId = ev.connId;
      this.onData(held);
    }
  }

  onClose(ev: SockCloseEvent): void {
    const conn = this.conns.get(ev.connId);
    if (!conn) return;
    if (conn.http2) {
      this.http2.onClose(conn, ev.ts); // its open streams end with the connection
      this.forget(conn);
      return;
    }
    // A close-delimited response ends with the last data seen, not the close call.
    const endTs = conn.lastResponseDataTs || ev.ts;
    for (const e of conn.responseParser.end()) this.onResponseEvent(conn, e, endTs);
    for (const ex of conn.pending.splice(0)) {
      if (!ex.request) continue;
      ex.incomplete = ex.response ? 'response_truncated' : 'connection_closed';
      this.complete(ex, ev.ts);
    }
    this.forget(conn);
  }

  /** Late start: whichever side sends a request line is the client. */
  private inferRole(conn: Connection, ev: SockDataEvent): boolean {
    const head = Buffer.from(ev.payload.buffer, ev.payload.byteOffset, Math.min(ev.payload.length, 16)).toString('latin1');
    let sentRequest: boolean;
    if (REQUEST_START.test(head)) sentRequest = ev.direction === Direction.Egress;
    else if (head.startsWith('HTTP/1.')) sentRequest = ev.direction === Direction.Ingress;
    else return false;
    conn.role = sentRequest ? ConnRole.Client : ConnRole.Server;
    return true;
  }

  private onRequestEvent(conn: Connection, e: Http1Event, ev: SockDataEvent): void {
    switch (e.type) {
      case 'start': {
        if (conn.pending.length >= MAX_PENDING_EXCHANGES) {
          conn.pending.shift();
          this.stats.droppedExchanges++;
        }
        const server = conn.role === ConnRole.Server;
        const arrival = ev.arrivalTs > 0 && ev.arrivalTs <= ev.exitTs ? ev.arrivalTs : ev.exitTs;
        const ex = new HttpExchange(server ? 'SERVER' : 'CLIENT', conn, ev.tid, server ? arrival : ev.enterTs);
        ex.firstOnConnection = conn.role === ConnRole.Client && conn.recent.length === 0;
        this.kernel?.touchThread(ev.tid);
        ex.firstReadTs = server ? ev.exitTs : 0;
        conn.receiving = ex;
        conn.pending.push(ex);
        conn.remember(ex);
        this.stats.exchangesStarted++;
        return;
      }
      case 'head':
        this.onRequestHead(conn, e.head);
        return;
      case 'end': {
        const ex = conn.receiving;
        if (ex) {
          ex.requestEndTs = ev.exitTs;
          ex.requestBodyBytes = e.bodyBytes;
        }
        conn.receiving = undefined;
        return;
      }
      case 'error': {
        // A head cut by the capture limit still names the request: keep it.
        const ex = conn.receiving;
        if (ex && !ex.request && e.partial) this.onRequestHead(conn, e.partial);
        if (ex && !ex.request) conn.pending.splice(conn.pending.indexOf(ex), 1);
        if (e.partial) this.stats.truncatedHeads++;
        else this.stats.parseErrors++;
        conn.receiving = undefined;
        return;
      }
    }
  }

  /** The thread that moved an exchange's bytes: its runqueue waits may have delayed it. */
  private noteThread(ex: HttpExchange | undefined, tid: number): void {
    if (!ex || ex.threads.has(tid)) return;
    ex.threads.add(tid);
    this.kernel?.touchThread(tid);
  }

  private onRequestHead(conn: Connection, head: Http1Head): void {
    const ex = conn.receiving;
    if (!ex || head.kind !== 'request') return;
    ex.request = head;
    conn.responseParser.expectResponseTo(head.method);
    this.parentOf(ex);
  }

  private onResponseEvent(conn: Connection, e: Http1Event, ts: number): void {
    const ex = conn.pending[0];
    switch (e.type) {
      case 'start':
        if (!ex) this.stats.responsesWithoutRequest++;
        return;
      case 'head':
        if (ex && e.head.kind === 'response' && e.head.status >= 200) ex.response = e.head;
        return;
      case 'end':
        if (!ex || e.interim) return;
        ex.responseBodyBytes = e.bodyBytes;
        this.finishResponse(conn, ex, ts);
        return;
      case 'error': {
        const partial = e.partial?.kind === 'response' ? e.partial : undefined;
        if (partial) this.stats.truncatedHeads++;
        else this.stats.parseErrors++;
        // The parser used up this request's method unless the response was interim.
        if (!ex || (partial && partial.status < 200)) return;
        if (partial) ex.response = partial;
        else ex.incomplete = 'response_unparsed';
        this.finishResponse(conn, ex, ts);
        return;
      }
    }
  }

  private finishResponse(conn: Connection, ex: HttpExchange, ts: number): void {
    conn.pending.shift();
    if (conn.receiving === ex) conn.receiving = undefined;
    const status = ex.response?.status ?? 0;
    // After 101 Switching Protocols or a CONNECT tunnel the bytes are no longer HTTP/1.x.
    if (status === 101 || (ex.request?.method === 'CONNECT' && status >= 200 && status < 300)) {
      conn.requestParser.tunnel();
    }
    if (!ex.request) return; // request began before kspan started
    this.complete(ex, ts);
  }

  /**
   * Parent of a new exchange. SERVER: the same-host CLIENT exchange on the
   * other end of the connection, else the request's traceparent. CLIENT: the
   * request's own traceparent (the application is instrumented), else the
   * SERVER exchange its thread is serving.
   */
  private parentOf(ex: HttpExchange): void {
    const remote = parseTraceparent(headerValue(ex, 'traceparent'));
    if (ex.kind === 'SERVER') {
      this.threads.begin(ex);
      ex.remoteParent = remote;
      this.peers.link(ex);
      return;
    }
    if (remote) ex.remoteParent = remote;
    else ex.parent = this.threads.current(ex.conn.tgid, ex.tid);
    this.peers.link(ex);
  }

  private complete(ex: HttpExchange, endTs: number): void {
    ex.endTs = Math.max(endTs, ex.startTs);
    ex.completedAtMs = Date.now();
    if (ex.kind === 'SERVER') this.threads.end(ex);
    this.held.push(ex);
  }

  /** Exports exchanges whose hold has passed; with force, all of them. */
  flush(force = false): void {
    const cutoff = Date.now() - this.options.holdMs;
    let n = 0;
    while (n < this.held.length && (force || this.held[n].completedAtMs <= cutoff)) n++;
    if (n === 0) return;
    for (const ex of this.held.splice(0, n)) {
      if (ex.kind === 'SERVER') {
        if (!ex.peer) this.peers.link(ex);
        clampToPeer(ex);
        // Its CLIENT parent's process died mid-request: end that span now, so the parent is exported too.
        const client = ex.peer;
        if (client && client.endTs === 0 && this.conns.get(client.conn.connId) === client.conn && !fs.existsSync(`/proc/${client.conn.tgid}`)) {
          this.abandon(client.conn, 'process_exited');
        }
      }
      this.stats.spansEmitted++;
      const span = this.builder.build(ex);
      const children = this.kernel?.children(ex, span) ?? [];
      this.sink(span);
      for (const child of children) this.sink(child);
    }
  }

  /** Forgets idle connections (a process that exits closes its sockets without close()). */
  sweep(): void {
    this.expireUnboundTls();
    const cutoff = Date.now() - this.idleMs;
    for (const conn of [...this.conns.values()]) if (conn.lastActivityMs < cutoff) this.forget(conn);
  }

  /**
   * A process that exits closes its sockets without close(2): its requests
   * would never end, and a SERVER span already exported would point at a
   * CLIENT parent never exported. Checked for connections quiet for a second.
   */
  reapExited(): void {
    const quiet = Date.now() - 1000;
    for (const conn of [...this.conns.values()]) {
      const busy = conn.pending.length > 0 || this.http2.openStreams(conn) > 0;
      if (busy && conn.lastActivityMs < quiet && !fs.existsSync(`/proc/${conn.tgid}`)) this.abandon(conn, 'process_exited');
    }
  }

  /** Ends what is pending on a connection as incomplete spans (so no exported child points at a parent never exported). */
  private abandon(conn: Connection, why: string): void {
    const endTs = conn.lastResponseDataTs || this.clockNow();
    this.http2.endAll(conn, why, endTs);
    for (const ex of conn.pending.splice(0)) {
      if (!ex.request) continue;
      ex.incomplete = why;
      this.complete(ex, Math.max(endTs, ex.startTs));
    }
    this.forget(conn);
  }

  /** At stop: every request still in flight becomes a span ending now, marked incomplete. */
  abandonAll(): void {
    for (const conn of [...this.conns.values()]) {
      if (conn.pending.some((ex) => ex.request) || this.http2.openStreams(conn) > 0) this.abandon(conn, 'in_flight_at_stop');
    }
  }

  private evictOldest(): void {
    const first = this.conns.values().next().value as Connection | undefined;
    if (first) {
      this.forget(first);
      this.stats.evictedConnections++;
    }
  }

  private forget(conn: Connection): void {
    this.conns.delete(conn.connId);
    this.peers.remove(conn);
    for (const ex of conn.pending) if (ex.kind === 'SERVER') this.threads.end(ex);
    this.http2.forget(conn);
    this.stats.connections = this.conns.size;
  }

  /** Drops TLS plaintext whose connection was never bound (counted). */
  private expireUnboundTls(): void {
    this.stats.unboundTlsDropped += this.unboundTls.expire(Date.now());
  }

  private clockNow(): number {
    return this.clock.now();
  }

  /** The process owning a connection end ("local>remote"), if traced. */
  processOfTuple(tupleKey: string): ProcessIdentity | undefined {
    return this.peers.get(tupleKey)?.process;
  }

  heldCount(): number {
    return this.held.length;
  }

  /** HTTP/2 counters: connections, streams, parse errors, broken connections. */
  get http2Stats(): Http2Tracker['stats'] {
    return this.http2.stats;
  }
}

/**
 * On one host the client can read the last bytes before the server's write
 * call has returned; the SERVER span then ends at the client's last read so
 * that it nests inside its CLIENT parent, as it does in causality.
 */
function clampToPeer(ex: HttpExchange): void {
  const client = ex.peer;
  if (!client) return;
  // An arrival stamp left by earlier bytes (a TLS handshake record) cannot predate the request being sent.
  if (ex.startTs < client.startTs && client.startTs <= ex.endTs) ex.startTs = client.startTs;
  if (client.endTs > 0 && ex.endTs > client.endTs) ex.endTs = Math.max(client.endTs, ex.startTs);
}

function headerValue(ex: HttpExchange, name: string): string | undefined {
  for (const [k, v] of ex.request?.headers ?? ex.http2?.request.headers ?? []) if (k === name) return v;
  return undefined;
}
