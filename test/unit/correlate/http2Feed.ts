/**
 * Test helper: plays a recorded HTTP/2 connection (test/fixtures/http2) to a
 * correlator as the socket events of both ends on one host — the client's
 * writes and the server's reads of each client chunk, then the server's
 * writes and the client's reads of each server chunk — in causal order: a
 * server chunk comes once the client chunks carrying the streams it answers
 * have gone. Timestamps grow 1 µs per chunk, so tests can tell chunks apart.
 */
import { HttpCorrelator } from '../../../src/correlate/HttpCorrelator';
import { KspanSpan } from '../../../src/correlate/span';
import { MonotonicClock } from '../../../src/receivers/MonotonicClock';
import { ConnRole, Direction, SockDataEvent } from '../../../src/receivers/sockets/types';
import type { Fixture } from '../../fixtures/http2/wire';

export const SERVER_PORT = 50051;
export const CLIENT_PORT = 40000;
export const SERVER_CONN = 1n;
export const CLIENT_CONN = 2n;
const SERVER_PID = 100;
const CLIENT_PID = 200;
const STEP = 1000;

export interface FeedOptions {
  /** Octets of each chunk the kernel copies (the rest is unseen, as with payload_bytes). */
  capture?: number;
  /** The same, for the client's end only. */
  clientCapture?: number;
  /** Chunks of each direction that went by before the agent started (not fed). */
  skipClient?: number;
  skipServer?: number;
  /** Feed only one end: 'server' or 'client'. */
  only?: 'server' | 'client';
  /** Mark the events as TLS plaintext and leave the roles to be inferred (a late start). */
  tlsUnknownRole?: boolean;
  /** Hand the reader's event over before the writer's (on one host a read can return first). */
  readsFirst?: boolean;
}

export interface Played {
  spans: KspanSpan[];
  correlator: HttpCorrelator;
  /** Start time (relative ns) of the events of each client chunk, by chunk index. */
  clientChunkTs: number[];
  serverChunkTs: number[];
  clock: MonotonicClock;
}

export function newCorrelator(spans: KspanSpan[], clock = new MonotonicClock()): HttpCorrelator {
  const names: Record<number, string> = { [SERVER_PID]: 'server', [CLIENT_PID]: 'client' };
  return new HttpCorrelator(clock, (pid) => ({ pid, serviceName: names[pid] ?? 'other', executableName: 'node' }),
    (s) => spans.push(s), { holdMs: 0, redactQuery: true });
}

/** Stream ids of the frames starting in each chunk of one direction (frame-aligned walk). */
function streamsPerChunk(chunks: Buffer[]): number[][] {
  let skip = 0;
  return chunks.map((b, i) => {
    const ids: number[] = [];
    let at = skip;
    if (i === 0 && b.subarray(0, 3).toString('latin1') === 'PRI') at = 24;
    while (at + 9 <= b.length) {
      const type = b[at + 3];
      if (type === 0 || type === 1) ids.push(b.readUInt32BE(at + 5) & 0x7fffffff);
      at += 9 + b.readUIntBE(at, 3);
    }
    skip = Math.max(0, at - b.length);
    return ids;
  });
}

/** The order chunks go in: [direction, index], client first, servers once their streams were requested. */
function causalOrder(f: Fixture): Array<['client' | 'server', number]> {
  const requested = streamsPerChunk(f.request);
  const answered = streamsPerChunk(f.response);
  const out: Array<['client' | 'server', number]> = [];
  let maxRequested = 0;
  let s = 0;
  for (let c = 0; c < f.request.length; c++) {
    out.push(['client', c]);
    maxRequested = Math.max(maxRequested, ...requested[c]);
    while (s < f.response.length && answered[s].every((id) => id <= maxRequested)) out.push(['server', s++]);
  }
  while (s < f.response.length) out.push(['server', s++]);
  return out;
}

function dataEvent(connId: bigint, tgid: number, direction: Direction, bytes: Buffer, ts: number, o: FeedOptions): SockDataEvent {
  const cap = (connId === CLIENT_CONN ? o.clientCapture : undefined) ?? o.capture ?? bytes.length;
  return {
    direction, syscall: direction === Direction.Egress ? 1 : 0, tgid, tid: tgid, fd: 5, connId,
    enterTs: ts, exitTs: ts + 100, arrivalTs: direction === Direction.Ingress ? ts - 50 : 0,
    wireLength: bytes.length, payload: bytes.subarray(0, cap), tail: undefined,
    ssl: o.tlsUnknownRole ? '0x1' : undefined,
  };
}

export function play(f: Fixture, o: FeedOptions = {}): Played {
  const clock = new MonotonicClock();
  const spans: KspanSpan[] = [];
  const c = newCorrelator(spans, clock);
  const open = (connId: bigint, role: ConnRole, tgid: number, local: number, remote: number): void =>
    c.onOpen({ role: o.tlsUnknownRole ? ConnRole.Unknown : role, tgid, tid: tgid, fd: 5, connId, ts: 0,
      localAddress: '127.0.0.1', localPort: local, remoteAddress: '127.0.0.1', remotePort: remote, comm: 'node' });
  const server = o.only !== 'client';
  const client = o.only !== 'server';
  if (server) open(SERVER_CONN, ConnRole.Server, SERVER_PID, SERVER_PORT, CLIENT_PORT);
  if (client) open(CLIENT_CONN, ConnRole.Client, CLIENT_PID, CLIENT_PORT, SERVER_PORT);
  const clientChunkTs: number[] = [];
  const serverChunkTs: number[] = [];
  let ts = 1_000_000;
  for (const [dir, i] of causalOrder(f)) {
    ts += STEP;
    if (dir === 'client') {
      clientChunkTs[i] = ts;
      if (i < (o.skipClient ?? 0)) continue;
      const b = f.request[i];
      const write = (): void => { if (client) c.onData(dataEvent(CLIENT_CONN, CLIENT_PID, Direction.Egress, b, ts, o)); };
      if (!o.readsFirst) write();
      if (server) c.onData(dataEvent(SERVER_CONN, SERVER_PID, Direction.Ingress, b, ts + 200, o));
      if (o.readsFirst) write();
    } else {
      serverChunkTs[i] = ts;
      if (i < (o.skipServer ?? 0)) continue;
      const b = f.response[i];
      const write = (): void => { if (server) c.onData(dataEvent(SERVER_CONN, SERVER_PID, Direction.Egress, b, ts, o)); };
      if (!o.readsFirst) write();
      if (client) c.onData(dataEvent(CLIENT_CONN, CLIENT_PID, Direction.Ingress, b, ts + 200, o));
      if (o.readsFirst) write();
    }
  }
  ts += STEP;
  if (client) c.onClose({ tgid: CLIENT_PID, tid: CLIENT_PID, fd: 5, connId: CLIENT_CONN, ts });
  if (server) c.onClose({ tgid: SERVER_PID, tid: SERVER_PID, fd: 5, connId: SERVER_CONN, ts: ts + 100 });
  c.flush(true);
  return { spans, correlator: c, clientChunkTs, serverChunkTs, clock };
}

/** A span time as the relative timestamp the events carried. */
export function relTs(p: Played, unixNano: bigint): number {
  return Number(unixNano - p.clock.toUnixNano(0));
}

export const kindOf = (spans: KspanSpan[], kind: 'SERVER' | 'CLIENT'): KspanSpan[] =>
  spans.filter((s) => s.kind === kind).sort((a, b) => Number(a.attributes['kspan.http2.stream_id']) - Number(b.attributes['kspan.http2.stream_id']));
