/** The shape of bench/results/*.json: everything one `npm run bench` measured. */
import type { BpfMapUse } from '../lib/bpfMemory';
import type { LoadgenResult } from '../lib/loadgen';
import type { Machine } from '../lib/machine';
import type { ServerKind } from '../lib/settings';
import type { Spread } from '../lib/stats';
import type { ProfileSummary } from '../lib/cpuProfile';

/** kspan's cost over one run with it, from /proc, its metrics and its final log line. */
export interface KspanRunCost {
  /** Wall seconds between the two CPU readings (load plus the drain after it). */
  wallSec: number;
  userSec: number;
  sysSec: number;
  cpuSec: number;
  /** Requests completed by the load generator in that time. */
  requests: number;
  cpuSecPer1kRequests: number;
  /** CPU as % of one core, divided by the request rate in thousands per second. */
  cpuPctPer1kRps: number;
  eventsReceived: number;
  eventsPerSec: number;
  eventsLost: Record<string, number>;
  eventsLostTotal: number;
  spansExported: number;
  /** HTTP spans the correlator made during the run (request-duration histogram counts). */
  spansMade: number;
  /** HTTP spans the correlator emitted over kspan's whole life (its "stopped:" line). */
  spansEmitted: number;
  /** Spans the run should have produced: a SERVER and a CLIENT span per request. */
  spansExpected: number;
  peakRssBytes: number;
  bpfMapBytes: number;
  /** From kspan's "stopped:" log line: records decoded in JS (= received when nothing was dropped in between). */
  decoded: number;
  loadAverage: number;
  /** Where the run's wall time went: kspan start, load, drain after the load, stop (ms). */
  phases: { startMs: number; loadMs: number; settleMs: number; stopMs: number };
  /**
   * False when kspan was still working through the load 10 s after it ended:
   * its CPU after that point is not counted, and the spans it had not yet
   * exported count as not exported.
   */
  drained: boolean;
}

export interface SaturationSample {
  requestsPerSec: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  loadAverage: number;
}

export interface SaturationPair {
  without: SaturationSample;
  with: SaturationSample;
  kspan: KspanRunCost;
}

export interface SaturationResult {
  server: ServerKind;
  connections: number;
  seconds: number;
  pairs: SaturationPair[];
  /** with / without, per pair. */
  throughputRatio: Spread;
  p50Ratio: Spread;
  p99Ratio: Spread;
}

export interface FixedRatePair {
  without: LoadgenResult;
  with: LoadgenResult;
  kspan: KspanRunCost;
}

export interface FixedRateResult {
  server: ServerKind;
  rate: number;
  connections: number;
  seconds: number;
  pairs: FixedRatePair[];
  /** with − without, per pair, µs. */
  p50AddedUs: Spread;
  p99AddedUs: Spread;
  p999AddedUs: Spread;
  p99WithoutUs: Spread;
  p99WithUs: Spread;
}

export interface CapacityStep {
  offeredRate: number;
  /** 'loadgen' (open loop at offeredRate) or 'wrk' (closed loop, as fast as it goes). */
  driver: 'loadgen' | 'wrk';
  achievedRate: number;
  seconds: number;
  eventsPerSec: number;
  eventsLost: Record<string, number>;
  eventsLostTotal: number;
  spansMade: number;
  spansExported: number;
  spansExpected: number;
  /** kspan's CPU while the load ran (all threads), % of one core. */
  kspanCpuPctOfCore: number;
  kspanUserPct: number;
  kspanSysPct: number;
  /** As in KspanRunCost. */
  drained: boolean;
  clientP99Us?: number;
  loadAverage: number;
}

export interface CapacityResult {
  server: ServerKind;
  steps: CapacityStep[];
  /** Highest events/s of a step with no loss of any kind. */
  maxZeroLossEventsPerSec: number;
  /** events/s of the first step that lost events, if any. */
  firstLossEventsPerSec?: number;
  /** True when no step lost anything: the figure is a floor set by the load the machine could generate. */
  loadLimited: boolean;
  /** Records the sockets decoder handled (kspan's "stopped:" line: sockets family only). */
  decodedAtStop: number;
  /** Events of every family written to ring buffers, read just before stop. */
  receivedAtStop: number;
  /** Spans the correlator made over the whole capacity run, and spans exporters acknowledged. */
  spansEmittedAtStop: number;
  spansExportedAtStop: number;
  peakRssBytes: number;
  saturatesFirst: string;
}

export interface ProfileResult {
  server: ServerKind;
  rate: number;
  seconds: number;
  eventsPerSec: number;
  kspanCpuPctOfCore: number;
  summary: ProfileSummary;
}

/** Spans per second of wall time and per second of the process's CPU time. */
export interface SpanRate {
  perSec: number;
  perCpuSec: number;
}

export interface MicroResult {
  /** Per second of CPU time. */
  http1: { mbPerSec: number; messagesPerSec: number };
  http2?: { mbPerSec: number; framesPerSec: number };
  /** Synthetic socket events → HttpCorrelator → (TraceExportPipeline → exporter). */
  spans: { correlatorOnly: SpanRate; file: SpanRate; otlphttp: SpanRate; dropped: number };
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  /** undefined: not measured in this run. */
  pass: boolean | undefined;
  note?: string;
}

export interface BenchResults {
  schema: 1;
  date: string;
  quick: boolean;
  totalSeconds: number;
  machine: Machine;
  kspanConfig: string;
  micro?: MicroResult;
  saturation: SaturationResult[];
  fixedRate: FixedRateResult[];
  capacity?: CapacityResult;
  profile?: ProfileResult;
  cost: {
    peakRssBytes: number;
    bpfMapBytes: number;
    bpfMaps: BpfMapUse[];
  };
  targets: TargetCheck[];
  notes: string[];
}
