/**
 * Capacity: one kspan, nginx (the cheapest server per request, leaving the
 * most CPU to kspan), and rising open-loop request rates. For each step we
 * read kspan's counters (events the BPF programs wrote, events lost and why,
 * spans exported) and kspan's CPU while the load ran. The search
 * stops at the first step that loses anything or when the machine cannot
 * generate the offered rate; then one closed-loop wrk step pushes as hard as
 * the machine can.
 */
import type { CapacityResult, CapacityStep } from '../report/results';
import { KspanAgent } from '../lib/KspanAgent';
import { runLoadgen } from '../lib/loadgen';
import { cpuDelta, loadAverage } from '../lib/procStats';
import { startServer } from '../lib/servers';
import type { BenchSettings, ServerKind } from '../lib/settings';
import { sleep } from '../lib/spawn';
import { runWrk } from '../lib/wrk';
import { lossDelta } from '../lib/withKspan';
import { log } from './log';

const SERVER: ServerKind = 'nginx';
/** Below this share of the offered rate, the generator or server is the limit, not kspan. */
const ACHIEVED_SHARE = 0.9;

export async function runCapacity(s: BenchSettings, onAgent: (a: KspanAgent) => void): Promise<CapacityResult> {
  const server = await startServer(SERVER);
  const agent = await KspanAgent.start();
  const steps: CapacityStep[] = [];
  try {
    await sleep(500);
    const step = async (driver: CapacityStep['driver'], offered: number): Promise<CapacityStep> => {
      const c0 = await agent.counters();
      const cpu0 = agent.cpu();
      let achieved: number;
      let requests: number;
      let seconds: number;
      let clientP99Us: number | undefined;
      if (driver === 'loadgen') {
        const r = await runLoadgen({ port: server.port, rate: offered, seconds: s.capacity.stepSeconds, warmupSeconds: 0.5, connections: s.capacity.connections });
        achieved = r.achievedRate;
        requests = r.completedIncludingWarmup;
        seconds = r.durationSec + r.warmupSec;
        clientP99Us = r.latencyUs.p99;
      } else {
        const w = await runWrk(server.port, s.capacity.stepSeconds, s.capacity.connections);
        achieved = w.requestsPerSec;
        requests = w.requests;
        seconds = w.seconds;
      }
      // CPU while the load ran: at or above ~100% of a core, kspan's JS thread was saturated.
      const cpu = cpuDelta(cpu0, agent.cpu());
      const { counters: c1, drained } = await agent.settle(2 * requests);
      const spansExpected = 2 * requests;
      const loss = lossDelta(c0, c1, spansExpected);
      const spansExported = c1.spansExported - c0.spansExported;
      const r: CapacityStep = {
        offeredRate: offered,
        driver,
        achievedRate: achieved,
        seconds,
        eventsPerSec: (c1.received - c0.received) / seconds,
        eventsLost: loss.eventsLost,
        eventsLostTotal: loss.eventsLostTotal,
        spansMade: c1.spansMade - c0.spansMade,
        spansExported,
        spansExpected,
        kspanCpuPctOfCore: (100 * cpu.total) / seconds,
        kspanUserPct: (100 * cpu.user) / seconds,
        kspanSysPct: (100 * cpu.sys) / seconds,
        drained,
        clientP99Us,
        loadAverage: loadAverage(),
      };
      log(`capacity ${driver} ${driver === 'wrk' ? 'max' : offered} req/s: achieved ${Math.round(achieved)}, ` +
        `${Math.round(r.eventsPerSec)} events/s, kspan ${r.kspanCpuPctOfCore.toFixed(0)}% of a core, lost ${JSON.stringify(nonZero(r.eventsLost))}`);
      return r;
    };

    const outOfTime = () => Date.now() > s.deadline;
    for (const rate of s.capacity.rates) {
      if (outOfTime()) break;
      const r = await step('loadgen', rate);
      steps.push(r);
      if (r.eventsLostTotal > 0 || r.achievedRate < ACHIEVED_SHARE * rate) break;
    }
    const lossy = steps.find((x) => x.eventsLostTotal > 0);
    if (!lossy && !outOfTime()) steps.push(await step('wrk', 0));
    // Narrow the gap between the last clean step and the first lossy one.
    for (let i = 0; lossy && i < s.capacity.bisections && !outOfTime(); i++) {
      const below = Math.max(0, ...steps.filter((x) => x.eventsLostTotal === 0).map((x) => x.offeredRate));
      const above = Math.min(...steps.filter((x) => x.eventsLostTotal > 0).map((x) => x.offeredRate));
      const mid = Math.round((below + above) / 2 / 100) * 100;
      if (mid <= below || mid >= above) break;
      steps.push(await step('loadgen', mid));
    }
    if (outOfTime()) log('capacity: time budget spent, search cut short');
    steps.sort((a, b) => (a.driver === b.driver ? a.offeredRate - b.offeredRate : a.driver === 'wrk' ? 1 : -1));
    onAgent(agent);
    const peakRssBytes = agent.peakRss();
    const final = await agent.counters();
    const stop = await agent.stop();
    const lossless = steps.filter((x) => x.eventsLostTotal === 0);
    const firstLoss = steps.find((x) => x.eventsLostTotal > 0);
    return {
      server: SERVER,
      steps,
      maxZeroLossEventsPerSec: Math.max(0, ...lossless.map((x) => x.eventsPerSec)),
      firstLossEventsPerSec: firstLoss?.eventsPerSec,
      loadLimited: firstLoss === undefined,
      decodedAtStop: stop.decoded,
      receivedAtStop: final.received,
      spansEmittedAtStop: stop.spans,
      spansExportedAtStop: final.spansExported,
      peakRssBytes,
      saturatesFirst: diagnose(steps),
    };
  } catch (err) {
    process.stderr.write(`kspan log tail:\n${agent.logTail()}\n`);
    await agent.stop().catch(() => undefined);
    throw err;
  } finally {
    await server.stop();
  }
}

function nonZero(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v > 0));
}

/**
 * What gave out first, from kspan's own counters: the kernel side (ring
 * buffer or a BPF map full) or the user side (spans missing after the kernel
 * delivered the events), and whether kspan's JS thread was out of CPU then.
 * The CPU profile (profile suite) says which stage of the JS thread dominates.
 */
export function diagnose(steps: CapacityStep[]): string {
  const first = steps.find((x) => x.eventsLostTotal > 0);
  const busiest = steps.reduce((a, b) => (b.eventsPerSec > a.eventsPerSec ? b : a), steps[0]);
  if (!first) {
    return `nothing in kspan: no loss up to ${Math.round(busiest.eventsPerSec)} events/s, where kspan used ` +
      `${busiest.kspanCpuPctOfCore.toFixed(0)}% of one core during the load; the load generator and server (same 2 cores) saturated first`;
  }
  const lost = nonZero(first.eventsLost);
  const cpu = `kspan used ${first.kspanCpuPctOfCore.toFixed(0)}% of one core during the load`;
  const kinds = Object.keys(lost);
  if (kinds.some((k) => k.endsWith('/ringbuf_full'))) {
    return first.kspanCpuPctOfCore >= 85
      ? `the ring buffer overflowed because kspan's JS thread could not keep up (${cpu}): JS-side processing is the bottleneck`
      : `the ring buffer overflowed while kspan had CPU to spare (${cpu}): bursts larger than the ring buffer`;
  }
  if (kinds.some((k) => k.endsWith('map_full'))) return `a BPF map filled (${kinds.join(', ')}; ${cpu})`;
  if (lost.spans_not_exported || lost.spans_not_made) {
    const where = lost.spans_not_exported
      ? `the correlator made ${first.spansMade} HTTP spans but at least ${lost.spans_not_exported} were never exported (the batch processor's queue overflowed)`
      : `the correlator made ${first.spansMade} HTTP spans for ${first.spansExpected} expected: events were delivered but not turned into spans`;
    return first.kspanCpuPctOfCore >= 85
      ? `kspan ran out of CPU (${cpu}) with no kernel event lost; the loss appeared in user space: ${where}. ` +
        'Per-span work in JS (parse, correlate, build, export) is the bottleneck'
      : `spans lost in user space although kspan had CPU to spare (${cpu}): ${where}`;
  }
  return `loss of kind ${kinds.join(', ')} (${cpu})`;
}
