/**
 * Overhead at saturation: wrk drives the server as fast as it goes, without
 * kspan then with it, alternating A/B, and we compare throughput and latency
 * pair by pair (a pair's two runs are seconds apart, so a slow drift of the
 * machine cancels out within a pair; the median of pairs resists one bad pair).
 */
import type { SaturationPair, SaturationResult, SaturationSample } from '../report/results';
import { loadAverage } from '../lib/procStats';
import { startServer } from '../lib/servers';
import type { BenchSettings, ServerKind } from '../lib/settings';
import { spread } from '../lib/stats';
import { runWrk, WrkResult } from '../lib/wrk';
import { WithKspan, withKspan } from '../lib/withKspan';
import { log } from './log';

function sample(w: WrkResult): SaturationSample {
  return { requestsPerSec: w.requestsPerSec, p50Us: w.p50Us, p99Us: w.p99Us, errors: w.errors, loadAverage: loadAverage() };
}

export async function runSaturation(kind: ServerKind, s: BenchSettings, onKspan: (r: WithKspan<unknown>) => void): Promise<SaturationResult> {
  const { seconds, warmupSeconds, connections } = s.saturation;
  const server = await startServer(kind);
  try {
    // JIT, page cache and TCP state warm before the first measured run.
    await runWrk(server.port, warmupSeconds, connections);
    const pairs: SaturationPair[] = [];
    for (let i = 0; i < s.pairs; i++) {
      const without = await runWrk(server.port, seconds, connections);
      const withRun = await withKspan(() => runWrk(server.port, seconds, connections), (w) => ({ requests: w.requests, seconds: w.seconds }));
      onKspan(withRun);
      const pair = { without: sample(without), with: sample(withRun.result), kspan: withRun.cost };
      pairs.push(pair);
      log(`saturation ${kind} pair ${i + 1}/${s.pairs}: ${fmt(pair.without)} | with kspan ${fmt(pair.with)}` +
        ` | ratio ${(pair.with.requestsPerSec / pair.without.requestsPerSec).toFixed(3)}, lost ${withRun.cost.eventsLostTotal}` +
        ` | phases ${JSON.stringify(withRun.cost.phases)}`);
    }
    return {
      server: kind,
      connections,
      seconds,
      pairs,
      throughputRatio: spread(pairs.map((p) => p.with.requestsPerSec / p.without.requestsPerSec)),
      p50Ratio: spread(pairs.map((p) => p.with.p50Us / p.without.p50Us)),
      p99Ratio: spread(pairs.map((p) => p.with.p99Us / p.without.p99Us)),
    };
  } finally {
    await server.stop();
  }
}

function fmt(x: SaturationSample): string {
  return `${Math.round(x.requestsPerSec)} req/s p50 ${Math.round(x.p50Us)} µs p99 ${Math.round(x.p99Us)} µs`;
}
