/**
 * Where kspan's JS thread spends its time under load: a V8 CPU profile of
 * kspan (started once kspan is up, see lib/profiledKspan.ts) while the
 * open-loop generator drives nginx at a high rate kspan still drains,
 * summarised by stage.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ProfileResult } from '../report/results';
import { makeTempDir, removeTempDir } from '../lib/cleanup';
import { summariseProfile } from '../lib/cpuProfile';
import { KspanAgent } from '../lib/KspanAgent';
import { runLoadgen } from '../lib/loadgen';
import { cpuDelta } from '../lib/procStats';
import { startServer } from '../lib/servers';
import type { BenchSettings } from '../lib/settings';
import { sleep } from '../lib/spawn';
import { log } from './log';

export async function runProfile(s: BenchSettings, rate: number): Promise<ProfileResult> {
  const dir = makeTempDir('cpuprof');
  const server = await startServer('nginx');
  const agent = await KspanAgent.start({ profileDir: dir });
  const file = path.join(dir, 'kspan.cpuprofile');
  try {
    await sleep(500);
    const c0 = await agent.counters();
    const cpu0 = agent.cpu();
    agent.toggleProfiler();
    const r = await runLoadgen({ port: server.port, rate, seconds: s.profile.seconds, warmupSeconds: 0.5, connections: s.capacity.connections });
    const { counters: c1 } = await agent.settle(2 * r.completedIncludingWarmup);
    agent.toggleProfiler();
    const cpu = cpuDelta(cpu0, agent.cpu());
    for (let i = 0; i < 100 && !fs.existsSync(file); i++) await sleep(100);
    if (!fs.existsSync(file)) throw new Error('kspan wrote no CPU profile');
    const seconds = r.durationSec + r.warmupSec;
    const summary = summariseProfile(file);
    log(`profile at ${rate} req/s: ${summary.stages.map((x) => `${x.stage} ${x.pct}%`).join(', ')}`);
    return {
      server: 'nginx',
      rate,
      seconds: s.profile.seconds,
      eventsPerSec: (c1.received - c0.received) / seconds,
      kspanCpuPctOfCore: (100 * cpu.total) / seconds,
      summary,
    };
  } finally {
    await agent.stop().catch(() => undefined);
    await server.stop();
    removeTempDir(dir);
  }
}
