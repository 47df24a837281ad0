/**
 * How long and how hard each part of the bench runs. One full run must fit in
 * 15 minutes on a 2-core machine; BENCH_QUICK=1 is a ~2-minute smoke run for
 * development (1 pair, short windows: its figures are not for publishing).
 */
export type SuiteName = 'micro' | 'saturation' | 'fixedRate' | 'capacity' | 'profile';
export type ServerKind = 'node' | 'nginx';

export interface BenchSettings {
  quick: boolean;
  suites: SuiteName[];
  servers: ServerKind[];
  /** A/B pairs (without kspan, then with) per server in the overhead suites. */
  pairs: number;
  saturation: { seconds: number; warmupSeconds: number; connections: number };
  fixedRate: { rate: number; seconds: number; warmupSeconds: number; connections: number };
  /** Rising open-loop rates until the first loss, then `bisections` steps between the last clean and first lossy rate. */
  capacity: { stepSeconds: number; rates: number[]; bisections: number; connections: number };
  profile: { seconds: number };
  micro: { seconds: number };
  /** Where results/*.json and BENCHMARKS.md go; false in quick runs unless BENCH_WRITE=1. */
  writeResults: boolean;
  /** Past this time (ms since epoch) the capacity search stops early and the profile is skipped. */
  deadline: number;
}

const ALL_SUITES: SuiteName[] = ['micro', 'saturation', 'fixedRate', 'capacity', 'profile'];

function list<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T[]): T[] {
  if (!value) return fallback;
  const picked = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of picked) {
    if (!allowed.includes(p as T)) throw new Error(`unknown "${p}" (expected one of ${allowed.join(', ')})`);
  }
  return picked as T[];
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === '1';
  const suites = list(env.BENCH_ONLY, ALL_SUITES, ALL_SUITES);
  return {
    quick,
    suites,
    servers: list<ServerKind>(env.BENCH_SERVERS, ['node', 'nginx'], ['node', 'nginx']),
    pairs: positiveInt(env.BENCH_PAIRS, quick ? 1 : 3),
    saturation: { seconds: quick ? 4 : 8, warmupSeconds: quick ? 1 : 3, connections: 32 },
    // 32 connections at 5k/s: one request per connection every 6.4 ms, so a
    // connection is idle again long before its next send unless the server stalls.
    fixedRate: { rate: 5000, seconds: quick ? 4 : 10, warmupSeconds: quick ? 1 : 2, connections: 32 },
    capacity: {
      stepSeconds: quick ? 3 : 6,
      rates: quick ? [1000, 5000] : [1000, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 40000],
      bisections: quick ? 1 : 2,
      connections: 64,
    },
    profile: { seconds: quick ? 3 : 8 },
    micro: { seconds: quick ? 0.5 : 1.5 },
    writeResults: !quick || env.BENCH_WRITE === '1',
    // The build before run.js takes a minute or two; 15 minutes in all.
    deadline: Date.now() + (quick ? 4 : 12.5) * 60_000,
  };
}
