import { BpfObject, NamedCounters } from './BpfObject';

/**
 * What every probe family shares: its loaded object, its named per-CPU
 * counters, and the stop sequence (probes off first so the rings can be
 * drained, then the counters read one last time, then close).
 */
export abstract class BpfFamily<N extends string> {
  protected obj: BpfObject | undefined;
  private readonly counterTotals: NamedCounters<N>;

  constructor(countersMap: string, counterNames: readonly N[]) {
    this.counterTotals = new NamedCounters(countersMap, counterNames);
  }

  /** Totals since load; after stop(), the last ones read. */
  counters(): Record<N, number> {
    return this.counterTotals.read(this.obj);
  }

  /** Stops the probes; records already written can still be drained before stop(). */
  detach(): void {
    this.obj?.detach();
  }

  stop(): void {
    this.counterTotals.read(this.obj); // final totals, kept for the stats line and the last metrics export
    this.obj?.close();
    this.obj = undefined;
  }
}
