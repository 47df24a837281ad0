import { MonotonicClock } from '../../receivers/MonotonicClock';
import { RunqueueWaitEvent, SchedEventSink } from '../../receivers/sched/types';
import { TcpConnectEvent, TcpDropEvent, TcpEventSink, TcpRetransmitEvent } from '../../receivers/tcp/types';
import { HttpExchange } from '../HttpExchange';
import { KspanSpan } from '../span';
import { KernelSpanFactory } from './KernelSpanFactory';
import { RecentEvents } from './RecentEvents';

/** How long kernel events are kept waiting for the exchange they delayed (ns). */
const KEEP_NS = 30e9;
/** Most `runqueue wait` children per request span (the longest; the total attribute counts all). */
const MAX_WAIT_SPANS = 8;
/** A thread that served a request stays watched this long after its last one (ms). */
const WATCH_IDLE_MS = 30_000;

export interface ThreadWatcher {
  watchThread(tid: number): boolean;
  unwatchThread(tid: number): boolean;
}

export interface KernelAttributorOptions {
  /** `socket queue wait` children for arrival→first read longer than this (ns). */
  socketWaitThresholdNs: number;
}

interface Retransmit extends TcpRetransmitEvent { endTs: number }
interface Connect extends TcpConnectEvent { endTs: number }
interface Drop extends TcpDropEvent { endTs: number }
type Wait = RunqueueWaitEvent;

// Hoisted so the per-span path creates no closures.
const waitStart = (e: Wait): number => e.startTs;
const eventTs = (e: { ts: number }): number => e.ts;
const connectStart = (e: Connect): number => e.startTs;

/**
 * Turns kernel events into child spans of the requests they delayed:
 * runqueue waits of the threads that served or made a request, TCP
 * retransmits and drops on its connection (either end on this host), the
 * connect that opened a client's connection. Threads that serve requests are
 * kept watched between requests, because the commonest delay — a thread
 * woken by the arriving request and kept off the CPU — happens before the
 * thread has read anything.
 */
export class KernelAttributor implements SchedEventSink, TcpEventSink {
  private readonly waits = new RecentEvents<number, Wait>(256, 8192, waitStart);
  private readonly retransmits = new RecentEvents<string, Retransmit>(64, 8192, eventTs);
  private readonly drops = new RecentEvents<string, Drop>(64, 8192, eventTs);
  private readonly connects = new RecentEvents<string, Connect>(4, 16384, connectStart);
  private readonly watched = new Map<number, number>(); // tid → last use (ms)
  private readonly factory: KernelSpanFactory;
  retransmitsSeen = 0;
  connectsFailed = 0;

  constructor(clock: MonotonicClock, private readonly options: KernelAttributorOptions, private watcher?: ThreadWatcher) {
    this.factory = new KernelSpanFactory(clock);
  }

  setWatcher(watcher: ThreadWatcher | undefined): void {
    this.watcher = watcher;
  }

  onRunqueueWait(ev: RunqueueWaitEvent): void {
    this.waits.add(ev.tid, ev);
  }

  onRetransmit(ev: TcpRetransmitEvent): void {
    this.retransmitsSeen++;
    this.retransmits.add(tupleKey(ev), { ...ev, endTs: ev.ts });
  }

  onConnect(ev: TcpConnectEvent): void {
    if (ev.failed) this.connectsFailed++;
    this.connects.add(tupleKey(ev), { ...ev, endTs: ev.ts });
  }

  onDrop(ev: TcpDropEvent): void {
    if (ev.sk !== 0n || ev.source === 'packet') this.drops.add(tupleKey(ev), { ...ev, endTs: ev.ts });
  }

  /** A thread touched a traced request: watch its runqueue waits. */
  touchThread(tid: number): void {
    const now = Date.now();
    if (!this.watched.has(tid)) this.watcher?.watchThread(tid);
    this.watched.set(tid, now);
  }

  /**
   * Child spans for an exchange about to be exported; sets the request
   * span's kernel totals. Runqueue waits inside the socket queue wait are
   * its children.
   */
  children(ex: HttpExchange, span: KspanSpan): KspanSpan[] {
    const out: KspanSpan[] = [];
    const start = ex.startTs, end = ex.endTs;
    let socketWait: KspanSpan | undefined;
    if (ex.kind === 'SERVER' && ex.firstReadTs - ex.startTs >= this.options.socketWaitThresholdNs) {
      socketWait = this.factory.socketQueueWait(span, ex.startTs, ex.firstReadTs, ex.conn.process);
      out.push(socketWait);
    }
    let waitNs = 0;
    let clipped: Array<{ w: RunqueueWaitEvent; s: number; e: number }> | undefined;
    for (const tid of ex.threads) {
      for (const w of this.waits.overlapping(tid, start, end)) {
        const s = Math.max(w.startTs, start), e = Math.min(w.endTs, end);
        if (e <= s) continue;
        waitNs += e - s;
        (clipped ??= []).push({ w, s, e });
      }
    }
    if (clipped) {
      // On an event loop one wait delays every request in flight; the longest ones become spans, all count in the total.
      clipped.sort((a, b) => (b.e - b.s) - (a.e - a.s));
      for (const { w, s, e } of clipped.slice(0, MAX_WAIT_SPANS)) {
        const parent = socketWait && e <= ex.firstReadTs ? socketWait : span;
        out.push(this.factory.runqueueWait(parent, w, s, e, ex.conn.process));
      }
      if (clipped.length > MAX_WAIT_SPANS) span.attributes['kspan.runqueue.waits_not_shown'] = clipped.length - MAX_WAIT_SPANS;
    }
    let retransmitCount = 0;
    for (let i = 0; i < 2; i++) {
      const key = i === 0 ? ex.conn.tupleKey : ex.conn.peerTupleKey;
      for (const r of this.retransmits.overlapping(key, start, end)) {
        retransmitCount++;
        out.push(this.factory.retransmit(span, r, ex.conn.process));
      }
      for (const d of this.drops.overlapping(key, start, end)) (span.events ??= []).push(this.factory.dropEvent(d));
    }
    if (ex.kind === 'CLIENT' && ex.firstOnConnection) {
      const [c] = this.connects.overlapping(ex.conn.tupleKey, 0, Number.MAX_SAFE_INTEGER);
      if (c) out.push(this.factory.connect(span, c, ex.conn.process));
    }
    span.attributes['kernel.runqueue.wait_ns'] = waitNs;
    span.attributes['kernel.tcp.retransmits'] = retransmitCount;
    return out;
  }

  /** Forgets old events and stops watching threads idle for a while. */
  sweep(nowRelNs: number): void {
    const cutoff = nowRelNs - KEEP_NS;
    this.waits.expire(cutoff);
    this.retransmits.expire(cutoff);
    this.drops.expire(cutoff);
    this.connects.expire(cutoff);
    const idle = Date.now() - WATCH_IDLE_MS;
    for (const [tid, last] of this.watched) {
      if (last < idle) {
        this.watcher?.unwatchThread(tid);
        this.watched.delete(tid);
      }
    }
  }
}

function tupleKey(t: { localAddress: string; localPort: number; remoteAddress: string; remotePort: number }): string {
  return `${t.localAddress}:${t.localPort}>${t.remoteAddress}:${t.remotePort}`;
}
