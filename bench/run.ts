/**
 * `npm run bench`: every benchmark in one run on this machine, then a table
 * on stdout, bench/results/<date>.json + latest.json, and the generated part
 * of BENCHMARKS.md. BENCH_QUICK=1 for a short smoke run (writes nothing
 * unless BENCH_WRITE=1); BENCH_ONLY=micro,saturation,fixedRate,capacity,profile
 * and BENCH_SERVERS=node,nginx to run a part; BENCH_PAIRS=N. With --render,
 * only re-renders the last results.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cleanupAll, installCleanupHandlers } from './lib/cleanup';
import { InterferenceMonitor } from './lib/interference';
import { KspanAgent } from './lib/KspanAgent';
import { benchConfigYaml } from './lib/kspanConfig';
import { buildLoadgen } from './lib/loadgen';
import { describeMachine } from './lib/machine';
import { hasBpftool, preflight } from './lib/preflight';
import { settingsFromEnv } from './lib/settings';
import { WithKspan } from './lib/withKspan';
import { runMicro } from './micro';
import type { BenchResults } from './report/results';
import { buildTables, renderText } from './report/tables';
import { checkTargets } from './report/targets';
import { generatedSection, updateBenchmarksMd, writeResults } from './report/write';
import { runCapacity } from './suites/capacity';
import { runFixedRate } from './suites/fixedRate';
import { log } from './suites/log';
import { runProfile } from './suites/profile';
import { runSaturation } from './suites/saturation';

const REPO = path.resolve(__dirname, '..', '..');
/** Profile rate when the capacity suite did not run or found nothing lossless: the fixed-rate suite's. */
const DEFAULT_PROFILE_RATE = 5_000;

/**
 * `node dist/bench/run.js --render`: rebuild the table and BENCHMARKS.md's
 * generated section from bench/results/latest.json, measuring nothing (for
 * when the presentation changes, not the figures).
 */
function render(): number {
  const results = JSON.parse(fs.readFileSync(path.join(REPO, 'bench', 'results', 'latest.json'), 'utf8')) as BenchResults;
  results.targets = checkTargets(results);
  const tables = buildTables(results);
  process.stdout.write(`\n${renderText(tables)}\n\n`);
  updateBenchmarksMd(REPO, generatedSection(results, tables));
  return 0;
}

async function main(): Promise<number> {
  if (process.argv.includes('--render')) return render();
  installCleanupHandlers();
  const started = Date.now();
  const s = settingsFromEnv();
  const macro = s.suites.some((x) => x !== 'micro');
  if (macro) {
    const problems = preflight();
    if (problems.length) {
      process.stderr.write(`bench: cannot run:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
  }
  const results: BenchResults = {
    schema: 1,
    date: new Date().toISOString(),
    quick: s.quick,
    totalSeconds: 0,
    machine: describeMachine(REPO),
    kspanConfig: benchConfigYaml('<tmp>', 9464),
    saturation: [],
    fixedRate: [],
    cost: { peakRssBytes: 0, bpfMapBytes: 0, bpfMaps: [] },
    targets: [],
    notes: [],
  };
  if (!hasBpftool()) results.notes.push('bpftool not found: BPF map memory read from /proc fdinfo');
  const monitor = new InterferenceMonitor(() => KspanAgent.pids);
  monitor.start();
  const onKspan = (run: WithKspan<unknown>) => {
    results.cost.peakRssBytes = Math.max(results.cost.peakRssBytes, run.cost.peakRssBytes);
    if (run.bpfMaps.totalBytes >= results.cost.bpfMapBytes) {
      results.cost.bpfMapBytes = run.bpfMaps.totalBytes;
      results.cost.bpfMaps = run.bpfMaps.maps;
    }
  };

  log(`settings: ${JSON.stringify({ quick: s.quick, suites: s.suites, servers: s.servers, pairs: s.pairs })}`);
  if (s.suites.includes('micro')) results.micro = await runMicro(s.micro.seconds);
  if (macro) {
    log('building bench/loadgen');
    await buildLoadgen();
  }
  if (s.suites.includes('saturation')) {
    for (const server of s.servers) results.saturation.push(await runSaturation(server, s, onKspan));
  }
  if (s.suites.includes('fixedRate')) {
    for (const server of s.servers) results.fixedRate.push(await runFixedRate(server, s, onKspan));
  }
  if (s.suites.includes('capacity')) {
    results.capacity = await runCapacity(s, (agent) => {
      const maps = agent.bpfMemory();
      if (maps.totalBytes >= results.cost.bpfMapBytes) {
        results.cost.bpfMapBytes = maps.totalBytes;
        results.cost.bpfMaps = maps.maps;
      }
    });
    results.cost.peakRssBytes = Math.max(results.cost.peakRssBytes, results.capacity.peakRssBytes);
  }
  if (s.suites.includes('profile') && Date.now() > s.deadline) {
    results.notes.push('CPU profile skipped: the time budget was spent');
  } else if (s.suites.includes('profile')) {
    const lossless = results.capacity?.steps.filter((x) => x.driver === 'loadgen' && x.eventsLostTotal === 0) ?? [];
    const rate = lossless.length ? Math.max(...lossless.map((x) => x.offeredRate)) : DEFAULT_PROFILE_RATE;
    results.profile = await runProfile(s, rate);
  }

  results.notes.push(...monitor.stop());
  results.totalSeconds = (Date.now() - started) / 1000;
  results.targets = checkTargets(results);
  const tables = buildTables(results);
  process.stdout.write(`\n${renderText(tables)}\n\n`);
  if (s.writeResults) {
    const files = writeResults(REPO, results);
    files.push(updateBenchmarksMd(REPO, generatedSection(results, tables)));
    log(`wrote ${files.map((f) => path.relative(REPO, f)).join(', ')}`);
  } else {
    log('quick run: results not written (BENCH_WRITE=1 to write them)');
  }
  log(`done in ${Math.round(results.totalSeconds)} s`);
  return 0;
}

main().then(
  async (code) => {
    await cleanupAll();
    process.exit(code);
  },
  async (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    await cleanupAll();
    process.exit(1);
  },
);
