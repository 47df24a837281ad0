import { BatchDecoder } from '../bpf/BatchDecoder';
import { MonotonicClock } from '../MonotonicClock';
import { RunqueueHistogram, RunqueueWaitEvent, SchedEventSink } from './types';

/* Offsets mirror bpf/include/sched.h. */
export const EV_SCHED_WAIT = 1;
export const SCHED_WAIT_SIZE = 72;
const F_PREEMPTED = 1;
const F_NEW = 2;

/** KSPAN_SCHED_HIST_SLOTS; struct kspan_sched_hist is slots, then count and sum_ns. */
export const SCHED_HIST_SLOTS = 27;
export const SCHED_HIST_SIZE = SCHED_HIST_SLOTS * 8 + 16;

/** NUL-terminated comm within [start, start + 16). */
function comm(batch: Buffer, start: number): string {
  const end = batch.indexOf(0, start);
  return batch.toString('latin1', start, end < 0 || end > start + 16 ? start + 16 : end);
}

/** Decodes the sched family's records (runqueue waits). */
export class SchedEventDecoder extends BatchDecoder {
  constructor(private readonly clock: MonotonicClock, private readonly sink: SchedEventSink) {
    super();
  }

  protected decodeRecord(batch: Buffer, view: DataView, start: number, size: number): boolean {
    if (view.getUint8(start) !== EV_SCHED_WAIT || size < SCHED_WAIT_SIZE) return false;
    this.sink.onRunqueueWait(this.decodeWait(batch, view, start));
    return true;
  }

  decodeWait(batch: Buffer, v: DataView, o: number): RunqueueWaitEvent {
    const flags = v.getUint8(o + 1);
    const startLo = v.getUint32(o + 16, true), startHi = v.getUint32(o + 20, true);
    const endLo = v.getUint32(o + 24, true), endHi = v.getUint32(o + 28, true);
    return {
      cpu: v.getUint32(o + 4, true),
      tid: v.getUint32(o + 8, true),
      tgid: v.getUint32(o + 12, true),
      startTs: this.clock.rel(startHi, startLo),
      endTs: this.clock.rel(endHi, endLo),
      durationNs: (endHi - startHi) * 4294967296 + (endLo - startLo),
      preempted: (flags & F_PREEMPTED) !== 0,
      newThread: (flags & F_NEW) !== 0,
      prevTid: v.getUint32(o + 32, true),
      prevTgid: v.getUint32(o + 36, true),
      prevComm: comm(batch, o + 40),
      comm: comm(batch, o + 56),
    };
  }
}

let histBounds: number[] | undefined;

/** Upper bounds (seconds) of the log2 slots: 2^(k+1) µs for k < SLOTS - 1. */
export function schedHistogramBounds(): number[] {
  if (!histBounds) {
    histBounds = [];
    for (let k = 0; k < SCHED_HIST_SLOTS - 1; k++) histBounds.push(2 ** (k + 1) / 1e6);
  }
  return histBounds.slice();
}

/**
 * One proc_hists value (struct kspan_sched_hist) as a histogram. The map is
 * a plain (shared) hash, so the buffer is one value; summing also accepts a
 * per-CPU layout (n values back to back).
 */
export function decodeSchedHistogram(value: Buffer): RunqueueHistogram {
  const counts = new Array<number>(SCHED_HIST_SLOTS).fill(0);
  let count = 0, sumNs = 0;
  for (let base = 0; base + SCHED_HIST_SIZE <= value.length; base += SCHED_HIST_SIZE) {
    for (let k = 0; k < SCHED_HIST_SLOTS; k++) counts[k] += Number(value.readBigUInt64LE(base + k * 8));
    count += Number(value.readBigUInt64LE(base + SCHED_HIST_SLOTS * 8));
    sumNs += Number(value.readBigUInt64LE(base + SCHED_HIST_SLOTS * 8 + 8));
  }
  return { bounds: schedHistogramBounds(), counts, count, sumNs };
}
