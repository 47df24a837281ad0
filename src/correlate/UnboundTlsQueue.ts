import { SockDataEvent } from '../receivers/sockets/types';

const MAX_SSL = 1024;
const MAX_EVENTS_PER_SSL = 16;
const MAX_AGE_MS = 5_000;

interface Entry {
  events: SockDataEvent[];
  firstMs: number;
}

/**
 * With a memory BIO (node) OpenSSL encrypts before the socket write that
 * tells the kernel which connection the SSL* belongs to. Those plaintext
 * events wait here, copied out of the batch buffer, until the bind arrives.
 * Bounded in count and age; what expires is counted by the caller.
 */
export class UnboundTlsQueue {
  private readonly bySsl = new Map<string, Entry>();
  dropped = 0;

  hold(ev: SockDataEvent): void {
    const key = `${ev.tgid}:${ev.ssl}`;
    let entry = this.bySsl.get(key);
    if (!entry) {
      if (this.bySsl.size >= MAX_SSL) this.dropOldest();
      entry = { events: [], firstMs: Date.now() };
      this.bySsl.set(key, entry);
    }
    if (entry.events.length >= MAX_EVENTS_PER_SSL) {
      entry.events.shift();
      this.dropped++;
    }
    entry.events.push({ ...ev, payload: Uint8Array.from(ev.payload), tail: ev.tail ? Uint8Array.from(ev.tail) : undefined });
  }

  release(tgid: number, ssl: string): SockDataEvent[] {
    const key = `${tgid}:${ssl}`;
    const entry = this.bySsl.get(key);
    if (!entry) return [];
    this.bySsl.delete(key);
    return entry.events;
  }

  /** Drops entries older than the bind could plausibly take; returns how many events. */
  expire(nowMs: number): number {
    let n = 0;
    for (const [key, entry] of this.bySsl) {
      if (nowMs - entry.firstMs > MAX_AGE_MS) {
        n += entry.events.length;
        this.bySsl.delete(key);
      }
    }
    const dropped = n + this.dropped;
    this.dropped = 0;
    return dropped;
  }

  private dropOldest(): void {
    const first = this.bySsl.keys().next();
    if (first.done) return;
    this.dropped += this.bySsl.get(first.value)!.events.length;
    this.bySsl.delete(first.value);
  }
}
