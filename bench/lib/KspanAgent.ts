/**
 * kspan as the bench runs it: `node dist/src/cli.js run` as root with the
 * config of kspanConfig.ts, spans to a real file (deleted after the run) and
 * kspan's own metrics on a loopback Prometheus endpoint that the bench
 * scrapes for events received/lost and spans exported.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { makeTempDir, removeTempDir } from './cleanup';
import { BpfMemory, bpfMemoryOf } from './bpfMemory';
import { benchConfigYaml } from './kspanConfig';
import { freePort } from './ports';
import { CpuTimes, cpuTimes, peakRssBytes } from './procStats';
import { parsePrometheus, total } from './promText';
import { Child, sleep } from './spawn';

export const KSPAN_CLI = path.resolve(__dirname, '..', '..', 'src', 'cli.js');

export interface KspanCounters {
  /** Records the BPF programs wrote to the ring buffer. */
  received: number;
  /** Events lost, by "family/reason" (e.g. sockets/ringbuf_full, sockets/conn_map_full, sched/ringbuf_full). */
  lost: Record<string, number>;
  lostTotal: number;
  /** Spans exporters acknowledged: HTTP spans and kernel child spans. */
  spansExported: number;
  /**
   * HTTP spans the correlator made: the count of kspan's request-duration
   * histograms, which record every SERVER and CLIENT span before export.
   */
  spansMade: number;
}

export interface Settled {
  counters: KspanCounters;
  /** False when kspan was still exporting the load's spans when the bench stopped waiting. */
  drained: boolean;
}

export interface KspanStopSummary {
  decoded: number;
  spans: number;
  ringLost: number;
  exitCode: number | null;
}

export interface KspanStartOptions {
  env?: NodeJS.ProcessEnv;
  /** Run under bench/lib/profiledKspan (CPU profile on demand, written here). */
  profileDir?: string;
}

const PROFILED_CLI = path.resolve(__dirname, 'profiledKspan.js');
const START_ATTEMPTS = 3;
const START_RETRY_MS = 5000;

export class KspanAgent {
  /** Pids of every agent the bench started (to tell them from anyone else's). */
  static readonly pids = new Set<number>();

  private constructor(
    private readonly child: Child,
    readonly dir: string,
    readonly metricsPort: number,
    readonly configYaml: string,
  ) {}

  /**
   * Starts kspan; retries a failed start twice, a few seconds apart, because
   * on a shared development machine a rebuild of the addon or the BPF
   * objects can be under way at that moment.
   */
  static async start(options: KspanStartOptions = {}): Promise<KspanAgent> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await KspanAgent.startOnce(options);
      } catch (err) {
        if (attempt >= START_ATTEMPTS) throw err;
        process.stderr.write(`bench: kspan start failed (attempt ${attempt}), retrying: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}\n`);
        await sleep(START_RETRY_MS);
      }
    }
  }

  private static async startOnce(options: KspanStartOptions): Promise<KspanAgent> {
    const dir = makeTempDir('kspan');
    const metricsPort = await freePort();
    const yaml = benchConfigYaml(dir, metricsPort);
    const configFile = path.join(dir, 'kspan.yaml');
    fs.writeFileSync(configFile, yaml);
    const env = { ...options.env, ...(options.profileDir ? { KSPAN_BENCH_PROFILE_DIR: options.profileDir } : {}) };
    const script = options.profileDir ? PROFILED_CLI : KSPAN_CLI;
    const child = Child.start(process.execPath, [script, 'run', '--config', configFile], env);
    const agent = new KspanAgent(child, dir, metricsPort, yaml);
    KspanAgent.pids.add(child.pid);
    try {
      await child.waitFor(/ ready: /, 30_000);
    } catch (err) {
      await agent.stop().catch(() => undefined);
      throw new Error(`kspan did not start: ${(err as Error).message}`);
    }
    return agent;
  }

  get pid(): number {
    return this.child.pid;
  }

  cpu(): CpuTimes {
    return cpuTimes(this.pid);
  }

  peakRss(): number {
    return peakRssBytes(this.pid);
  }

  bpfMemory(): BpfMemory {
    return bpfMemoryOf(this.pid);
  }

  async counters(): Promise<KspanCounters> {
    const samples = parsePrometheus(await httpGet(`http://127.0.0.1:${this.metricsPort}/metrics`));
    const lost: Record<string, number> = {};
    for (const s of samples) {
      if (s.name !== 'kspan_events_lost_total') continue;
      const key = `${s.labels.family ?? '?'}/${s.labels.reason ?? '?'}`;
      lost[key] = (lost[key] ?? 0) + s.value;
    }
    return {
      received: total(samples, 'kspan_events_received_total'),
      lost,
      lostTotal: Object.values(lost).reduce((a, b) => a + b, 0),
      spansExported: total(samples, 'kspan_spans_exported_total'),
      spansMade: total(samples, 'http_server_request_duration_seconds_count') + total(samples, 'http_client_request_duration_seconds_count'),
    };
  }

  /**
   * Polls until kspan is done with a load: HTTP spans made and spans
   * exported have both stopped growing for quietMs (longer than span_hold
   * 300 ms + the batch processor's 1 s delay). "Stopped" tolerates a
   * trickle, scaled to the load's `expectedSpans`: on a shared machine other
   * processes' traffic is traced too and never stops. Gives up after maxMs
   * (drained: false): a kspan far behind would take minutes.
   */
  async settle(expectedSpans: number, quietMs = 1600, maxMs = 10_000): Promise<Settled> {
    const trickle = Math.max(50, 0.005 * expectedSpans);
    let last = await this.counters();
    let since = Date.now();
    const deadline = since + maxMs;
    while (Date.now() - since < quietMs) {
      if (Date.now() >= deadline) return { counters: last, drained: false };
      await sleep(200);
      const now = await this.counters();
      if (now.spansExported - last.spansExported > trickle || now.spansMade - last.spansMade > trickle) {
        since = Date.now();
        last = now;
      }
    }
    return { counters: await this.counters(), drained: true };
  }

  /** SIGTERM (kspan flushes held spans), parse its final stats line, delete its files. */
  async stop(): Promise<KspanStopSummary> {
    const exitCode = await this.child.stop(30_000);
    const m = /stopped: (\d+) events decoded, (\d+) spans, lost (\d+)/.exec(this.child.stderr);
    removeTempDir(this.dir);
    return {
      decoded: m ? Number(m[1]) : NaN,
      spans: m ? Number(m[2]) : NaN,
      ringLost: m ? Number(m[3]) : NaN,
      exitCode,
    };
  }

  /** Under profileDir only: start, then stop and write, the CPU profile. */
  toggleProfiler(): void {
    process.kill(this.pid, 'SIGUSR2');
  }

  logTail(): string {
    return this.child.tail();
  }
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Generous: a kspan draining a backlog answers only between batches.
    const req = http.get(url, { agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
