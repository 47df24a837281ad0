/**
 * Runs one load with kspan watching, and charges kspan for everything it did
 * because of that load: its CPU from just before the load until it has
 * exported the last span (the drain after the load is part of the cost).
 */
import type { KspanRunCost } from '../report/results';
import { KspanAgent, KspanCounters, KspanStartOptions } from './KspanAgent';
import { cpuDelta, loadAverage } from './procStats';
import { sleep } from './spawn';

export interface LoadOutcome {
  /** Requests completed during the load (including any warm-up the generator did). */
  requests: number;
  /** Seconds the load generator ran for. */
  seconds: number;
}

/** Everything a run learned about kspan, plus the agent's bpf map detail for the report. */
export interface WithKspan<T> {
  result: T;
  cost: KspanRunCost;
  bpfMaps: ReturnType<KspanAgent['bpfMemory']>;
}

const STARTUP_QUIET_MS = 500;

export async function withKspan<T>(
  load: () => Promise<T>,
  outcome: (t: T) => LoadOutcome,
  options: KspanStartOptions = {},
): Promise<WithKspan<T>> {
  const tStart = Date.now();
  const agent = await KspanAgent.start(options);
  const startMs = Date.now() - tStart;
  try {
    await sleep(STARTUP_QUIET_MS); // start-up work (BPF load, JIT) is not per-request cost
    const c0 = await agent.counters();
    const cpu0 = agent.cpu();
    const t0 = Date.now();
    const result = await load();
    const tLoaded = Date.now();
    const o = outcome(result);
    const { counters: c1, drained } = await agent.settle(2 * o.requests);
    const cpu1 = agent.cpu();
    const wallSec = (Date.now() - t0) / 1000;
    const peakRssBytes = agent.peakRss();
    const bpfMaps = agent.bpfMemory();
    const tStop = Date.now();
    const stop = await agent.stop();
    const phases = { startMs, loadMs: tLoaded - t0, settleMs: tStop - tLoaded, stopMs: Date.now() - tStop };
    const cpu = cpuDelta(cpu0, cpu1);
    return {
      result,
      bpfMaps,
      cost: {
        wallSec,
        userSec: cpu.user,
        sysSec: cpu.sys,
        cpuSec: cpu.total,
        requests: o.requests,
        cpuSecPer1kRequests: o.requests > 0 ? cpu.total / (o.requests / 1000) : NaN,
        // (cpu / seconds of load) as % of a core, per 1k req/s of that load: = cpuSecPer1kRequests × 100.
        cpuPctPer1kRps: o.requests > 0 ? (cpu.total / (o.requests / 1000)) * 100 : NaN,
        eventsReceived: c1.received - c0.received,
        eventsPerSec: (c1.received - c0.received) / o.seconds,
        ...lossDelta(c0, c1, 2 * o.requests),
        spansExported: c1.spansExported - c0.spansExported,
        spansMade: c1.spansMade - c0.spansMade,
        spansEmitted: stop.spans,
        spansExpected: 2 * o.requests,
        peakRssBytes,
        bpfMapBytes: bpfMaps.totalBytes,
        decoded: stop.decoded,
        loadAverage: loadAverage(),
        phases,
        drained,
      },
    };
  } catch (err) {
    process.stderr.write(`kspan log tail:\n${agent.logTail()}\n`);
    await agent.stop().catch(() => undefined);
    throw err;
  }
}

/** A shortfall above this share counts as loss (other processes' traffic on the host is traced too: noise). */
const SHORTFALL_TOLERANCE = 0.001;

/**
 * Events lost between two readings, by reason, plus two user-space losses
 * the kernel counters cannot see:
 * - spans_not_made: requests × 2 minus the HTTP spans the correlator made;
 * - spans_not_exported: HTTP spans made minus spans exported. Exported spans
 *   include kernel child spans, so this is a lower bound of what the export
 *   side dropped (e.g. a full batch queue).
 */
export function lossDelta(c0: KspanCounters, c1: KspanCounters, spansExpected: number): { eventsLost: Record<string, number>; eventsLostTotal: number } {
  const eventsLost: Record<string, number> = {};
  for (const [k, v] of Object.entries(c1.lost)) eventsLost[k] = v - (c0.lost[k] ?? 0);
  const made = c1.spansMade - c0.spansMade;
  const notMade = spansExpected - made;
  if (notMade > SHORTFALL_TOLERANCE * spansExpected) eventsLost.spans_not_made = notMade;
  const notExported = made - (c1.spansExported - c0.spansExported);
  if (notExported > SHORTFALL_TOLERANCE * made) eventsLost.spans_not_exported = notExported;
  return { eventsLost, eventsLostTotal: Object.values(eventsLost).reduce((a, b) => a + b, 0) };
}
