/**
 * Overhead at a fixed rate: the open-loop generator offers the same schedule
 * (5k req/s) without and with kspan, alternating; latency is measured from
 * each request's intended send time, and we report what kspan adds to p99.
 */
import type { FixedRatePair, FixedRateResult } from '../report/results';
import { runLoadgen, LoadgenResult } from '../lib/loadgen';
import { startServer } from '../lib/servers';
import type { BenchSettings, ServerKind } from '../lib/settings';
import { spread } from '../lib/stats';
import { WithKspan, withKspan } from '../lib/withKspan';
import { log } from './log';

export async function runFixedRate(kind: ServerKind, s: BenchSettings, onKspan: (r: WithKspan<unknown>) => void): Promise<FixedRateResult> {
  const { rate, seconds, warmupSeconds, connections } = s.fixedRate;
  const server = await startServer(kind);
  const load = () => runLoadgen({ port: server.port, rate, seconds, warmupSeconds, connections });
  try {
    await runLoadgen({ port: server.port, rate, seconds: warmupSeconds, warmupSeconds: 0, connections });
    const pairs: FixedRatePair[] = [];
    for (let i = 0; i < s.pairs; i++) {
      const without = await load();
      const withRun = await withKspan(load, (r) => ({ requests: r.completedIncludingWarmup, seconds: r.durationSec + r.warmupSec }));
      onKspan(withRun);
      pairs.push({ without, with: withRun.result, kspan: withRun.cost });
      log(`fixed-rate ${kind} pair ${i + 1}/${s.pairs}: ${fmt(without)} | with kspan ${fmt(withRun.result)}` +
        ` | kspan ${withRun.cost.cpuPctPer1kRps.toFixed(2)}% core per 1k req/s, lost ${withRun.cost.eventsLostTotal}` +
        ` | phases ${JSON.stringify(withRun.cost.phases)}`);
    }
    const added = (q: 'p50' | 'p99' | 'p999') => spread(pairs.map((p) => p.with.latencyUs[q] - p.without.latencyUs[q]));
    return {
      server: kind,
      rate,
      connections,
      seconds,
      pairs,
      p50AddedUs: added('p50'),
      p99AddedUs: added('p99'),
      p999AddedUs: added('p999'),
      p99WithoutUs: spread(pairs.map((p) => p.without.latencyUs.p99)),
      p99WithUs: spread(pairs.map((p) => p.with.latencyUs.p99)),
    };
  } finally {
    await server.stop();
  }
}

function fmt(r: LoadgenResult): string {
  return `${Math.round(r.achievedRate)} req/s p50 ${Math.round(r.latencyUs.p50)} µs p99 ${Math.round(r.latencyUs.p99)} µs` +
    `${r.errors ? ` errors ${r.errors}` : ''}`;
}
