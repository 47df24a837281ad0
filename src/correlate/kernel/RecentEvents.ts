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

  constructor(private readonly maxPerKey: number, private readonly maxKeys: number) {}

  add(key: K, ev: E): void {
    let list = this.byKey.get(key);
    if (!list) {
      if (this.byKey.size >= this.maxKeys) this.byKey.delete(this.byKey.keys().next().value as K);
      this.byKey.set(key, (list = []));
    }
    list.push(ev);
    if (list.length > this.maxPerKey) list.shift();
  }

  /** Events of key overlapping [start, end]; a shared empty array when none (most requests), so the miss allocates nothing. */
  overlapping(key: K, start: number, end: number, startOf: (e: E) => number): readonly E[] {
    const list = this.byKey.get(key);
    if (!list) return NONE;
    let out: E[] | undefined;
    for (const e of list) if (e.endTs >= start && startOf(e) <= end) (out ??= []).push(e);
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
