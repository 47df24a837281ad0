/**
 * Kernel events kept briefly by key (thread id, connection tuple) so an
 * exchange can collect the ones inside its window when it is exported.
 * Events come from other ring buffers than the exchange's own, in any
 * order relative to it, hence keeping them rather than matching on arrival.
 * Bounded per key and in age.
 */
const NONE: readonly never[] = Object.freeze([]);

export class RecentEvents<K, E extends { endTs: number }> {
  private readonly byKey = new Map<K, E[]>();

  /** The longest event seen (end − start): past end + this, no later event can start inside a window. */
  private longest = 0;

  constructor(private readonly maxPerKey: number, private readonly maxKeys: number, private readonly startOf: (e: E) => number) {}

  add(key: K, ev: E): void {
    let list = this.byKey.get(key);
    if (!list) {
      if (this.byKey.size >= this.maxKeys) this.byKey.delete(this.byKey.keys().next().value as K);
      this.byKey.set(key, (list = []));
    }
    this.longest = Math.max(this.longest, ev.endTs - this.startOf(ev));
    // Kept in end order (events of one thread or connection almost always come in order), so lookups can bisect.
    let i = list.length;
    while (i > 0 && list[i - 1].endTs > ev.endTs) i--;
    if (i === list.length) list.push(ev);
    else list.splice(i, 0, ev);
    if (list.length > this.maxPerKey) list.shift();
  }

  /**
   * Events of key overlapping [start, end]; a shared empty array when none
   * (most requests), so the miss allocates nothing. Bisects to the first
   * event ending at or after start: a busy thread keeps hundreds of waits.
   */
  overlapping(key: K, start: number, end: number): readonly E[] {
    const list = this.byKey.get(key);
    if (!list) return NONE;
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].endTs < start) lo = mid + 1;
      else hi = mid;
    }
    let out: E[] | undefined;
    const last = end + this.longest;
    for (let i = lo; i < list.length; i++) {
      const e = list[i];
      if (e.endTs > last) break;
      if (this.startOf(e) <= end) (out ??= []).push(e);
    }
    return out ?? NONE;
  }

  /** Drops events that ended before cutoff. */
  expire(cutoff: number): void {
    for (const [key, list] of this.byKey) {
      const kept = list.filter((e) => e.endTs >= cutoff);
      if (kept.length === 0) this.byKey.delete(key);
      else if (kept.length !== list.length) this.byKey.set(key, kept);
    }
  }
}
