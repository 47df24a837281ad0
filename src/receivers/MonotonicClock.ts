/**
 * Kernel timestamps are CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns), the
 * same clock as process.hrtime. Events carry them relative to a base taken
 * at start (exact as doubles for 104 days); export converts to wall-clock
 * nanoseconds, re-anchoring periodically so NTP slew does not accumulate.
 */
export class MonotonicClock {
  private readonly baseHi: number;
  private readonly baseLo: number;
  private readonly baseMono: bigint;
  private wallAtBase = 0n;

  constructor() {
    this.baseMono = process.hrtime.bigint();
    this.baseHi = Number(this.baseMono >> 32n);
    this.baseLo = Number(this.baseMono & 0xffffffffn);
    this.recalibrate();
  }

  /** A kernel timestamp given as its high and low 32-bit halves; 0 stays 0 (unknown). */
  rel(hi: number, lo: number): number {
    if (hi === 0 && lo === 0) return 0;
    const r = (hi - this.baseHi) * 4294967296 + (lo - this.baseLo);
    return r === 0 ? 1 : r;
  }

  /** Now, on the same relative scale. */
  now(): number {
    return Number(process.hrtime.bigint() - this.baseMono);
  }

  toUnixNano(rel: number): bigint {
    return this.wallAtBase + BigInt(Math.round(rel));
  }

  /** Re-anchors wall time against the monotonic base. */
  recalibrate(): void {
    const wallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    this.wallAtBase = wallNs - (process.hrtime.bigint() - this.baseMono);
  }
}
