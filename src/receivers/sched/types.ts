/** Decoded sched-family events (layouts in bpf/include/sched.h). */
import { RelNs } from '../sockets/types';

export { RelNs };

/**
 * A watched thread waited runnable on a CPU runqueue for longer than the
 * threshold (the `runqueue wait` child span). Timestamps are kernel
 * CLOCK_MONOTONIC relative to the receiver's MonotonicClock base.
 */
export interface RunqueueWaitEvent {
  tid: number;
  tgid: number;
  /** The thread's comm when it got the CPU. */
  comm: string;
  /** The CPU the thread got at the end of the wait. */
  cpu: number;
  /** Runnable since: its wakeup, or the moment it was switched out still runnable. */
  startTs: RelNs;
  /** Switched in. */
  endTs: RelNs;
  /** endTs - startTs in ns (exact: computed from the kernel's 64-bit values). */
  durationNs: number;
  /** The wait began with the thread switched out while runnable (preempted or yielded), not a wakeup. */
  preempted: boolean;
  /** The wait began at the thread's creation (sched_wakeup_new). */
  newThread: boolean;
  /** What ran instead: the task switched out when this thread got the CPU (pid 0 / "swapper/N" = the CPU was idle). */
  prevTid: number;
  prevTgid: number;
  prevComm: string;
}

export interface SchedEventSink {
  onRunqueueWait(ev: RunqueueWaitEvent): void;
}

/**
 * Cumulative runqueue-latency histogram of one process (all its threads,
 * every wait, no threshold), in OpenTelemetry explicit-bucket form.
 *
 * The kernel counts wait w (ns) in slot k = floor(log2(w / 1000)) (slot 0
 * also takes w < 2 µs), so slot k holds 2^k µs <= w < 2^(k+1) µs.
 * `bounds[k]` = 2^(k+1) µs expressed in seconds is the upper bound of
 * `counts[k]`; `counts` has one more entry than `bounds`, the open-ended
 * last slot (w >= 2^(SLOTS-1) µs). OpenTelemetry reads bucket k as
 * (bounds[k-1], bounds[k]]; the kernel's is [bounds[k-1], bounds[k]) — at
 * 1 µs resolution they differ only for waits of exactly a power of two µs.
 */
export interface RunqueueHistogram {
  bounds: number[];
  counts: number[];
  count: number;
  sumNs: number;
}
