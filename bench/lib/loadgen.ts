/**
 * The open-loop generator (bench/loadgen, Go, no external modules), built at
 * bench time into bench/.build (gitignored) and run per measurement.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runToEnd } from './spawn';

const SOURCE = path.resolve(__dirname, '..', '..', '..', 'bench', 'loadgen');
const BINARY = path.resolve(__dirname, '..', '..', '..', 'bench', '.build', 'loadgen');

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface LoadgenResult {
  rate: number;
  conns: number;
  durationSec: number;
  warmupSec: number;
  completed: number;
  completedIncludingWarmup: number;
  errors: number;
  reconnects: number;
  achievedRate: number;
  /** From each request's intended send time: what a user of the schedule would see. */
  latencyUs: Percentiles;
  /** From the actual send: the classic (coordinated-omission-prone) figure, for comparison. */
  serviceUs: Percentiles;
  /** How late sends left versus the schedule (generator or machine lag). */
  sendLagUs: Percentiles;
  firstError?: string;
}

export interface LoadgenRun {
  port: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  path?: string;
}

export async function buildLoadgen(): Promise<string> {
  fs.mkdirSync(path.dirname(BINARY), { recursive: true });
  // GOFLAGS=-mod=mod is not needed: the module has no dependencies. GOTOOLCHAIN=local: never download a toolchain.
  await runToEnd('go', ['build', '-o', BINARY, '.'], { cwd: SOURCE, env: { GOTOOLCHAIN: 'local', CGO_ENABLED: '0' }, timeoutMs: 300_000 });
  return BINARY;
}

export async function runLoadgen(r: LoadgenRun): Promise<LoadgenResult> {
  const args = [
    '-port', String(r.port), '-path', r.path ?? '/', '-rate', String(r.rate), '-conns', String(r.connections),
    '-duration', String(r.seconds), '-warmup', String(r.warmupSeconds),
  ];
  const { stdout } = await runToEnd(BINARY, args, { timeoutMs: (r.seconds + r.warmupSeconds + 60) * 1000 });
  return JSON.parse(stdout) as LoadgenResult;
}
