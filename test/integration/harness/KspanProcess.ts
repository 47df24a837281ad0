import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExportedSpan, SpanFileReader } from './ExportedSpans';

const CLI = path.resolve(__dirname, '..', '..', '..', 'src', 'cli.js');

export interface KspanProcessOptions {
  /** Extra YAML appended under `receivers.kernel` (indented by the caller). */
  kernelYaml?: string;
  /** Extra exporters: YAML under `exporters:` and their names for the traces pipeline. */
  extraExportersYaml?: string;
  extraTraceExporters?: string[];
  /** Full YAML instead of the generated one (the file exporter path is then up to the caller). */
  yaml?: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** Serve metrics for Prometheus on 127.0.0.1:port (metrics pipeline). */
  prometheusPort?: number;
  /** `processors.batch` flow map, e.g. "{ timeout: 100ms, max_queue_size: 262144 }". */
  batchYaml?: string;
  /** Pin the agent to this CPU (taskset), to keep it off a CPU a test loads. */
  cpu?: number;
}

/**
 * The real agent as a child process (`node dist/src/cli.js run`), exporting
 * to a temporary OTLP/JSON file that tests read back.
 */
export class KspanProcess {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-it-'));
  readonly spansFile = path.join(this.dir, 'spans.jsonl');
  readonly configFile = path.join(this.dir, 'kspan.yaml');
  private child: ChildProcess | undefined;
  stderr = '';
  stdout = '';
  exitCode: number | null = null;
  private reader: SpanFileReader | undefined;

  /** The agent's pid (undefined before launch). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(options: KspanProcessOptions = {}): Promise<KspanProcess> {
    const k = new KspanProcess();
    await k.launch(options);
    return k;
  }

  private async launch(o: KspanProcessOptions): Promise<void> {
    const yaml = o.yaml ?? [
      'receivers:',
      '  kernel:',
      '    span_hold: 100ms',
      ...(o.kernelYaml ? [o.kernelYaml] : []),
      'processors:',
      `  batch: ${o.batchYaml ?? '{ timeout: 100ms }'}`,
      'exporters:',
      `  file: { path: ${this.spansFile} }`,
      ...(o.extraExportersYaml ? [o.extraExportersYaml] : []),
      ...(o.prometheusPort ? [`  prometheus: { endpoint: "127.0.0.1:${o.prometheusPort}" }`] : []),
      'service:',
      '  pipelines:',
      `    traces: { exporters: [${['file', ...(o.extraTraceExporters ?? [])].join(', ')}] }`,
      ...(o.prometheusPort ? ['    metrics: { exporters: [prometheus] }'] : []),
      '  telemetry: { logs: { level: debug } }',
    ].join('\n');
    fs.writeFileSync(this.configFile, `${yaml}\n`);
    const argv = [process.execPath, CLI, 'run', '--config', this.configFile];
    if (o.cpu !== undefined) argv.unshift('taskset', '-c', String(o.cpu));
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code) => (this.exitCode = code));
    const deadline = Date.now() + (o.readyTimeoutMs ?? 20_000);
    while (!/ ready: /.test(this.stderr)) {
      if (this.exitCode !== null) throw new Error(`kspan exited (${this.exitCode}) before ready:\n${this.stderr}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`kspan not ready in time:\n${this.stderr}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM, and wait until it has flushed and exited. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.exitCode; // already exited, or killed
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    return this.exitCode;
  }

  /** Like stop(), with another signal (SIGINT: what Ctrl-C sends). */
  async stopWith(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.exitCode; // already exited, or killed
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    return this.exitCode;
  }

  /** The agent process has not exited (or been killed). */
  get running(): boolean {
    return this.child !== undefined && this.exitCode === null && this.child.signalCode === null;
  }

  /** Every span exported so far. Reads only what was appended since the last call: on a busy host the file grows large. */
  spans(): ExportedSpan[] {
    this.reader ??= new SpanFileReader(this.spansFile);
    return this.reader.read();
  }

  /** Polls the file until predicate holds on the spans read (or throws with what was there). */
  async waitForSpans(predicate: (spans: ExportedSpan[]) => boolean, timeoutMs = 10_000): Promise<ExportedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const spans = this.spans();
      if (predicate(spans)) return spans;
      if (Date.now() > deadline) {
        throw new Error(`spans did not arrive in ${timeoutMs} ms; have ${spans.length}:\n` +
          spans.map((s) => `  ${s.kind} ${s.name} ${JSON.stringify(s.attributes['server.port'])} ${s.resource['service.name']}`).join('\n') +
          `\nkspan stderr:\n${this.stderr.slice(-3000)}`);
      }
      await sleep(100);
    }
  }

  /** Scrapes the agent's Prometheus endpoint (prometheusPort). */
  async scrape(port: number): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return res.text();
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
