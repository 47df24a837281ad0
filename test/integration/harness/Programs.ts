import { ChildProcess, execFile, spawn } from 'child_process';
import * as path from 'path';

export const PROGRAMS = path.resolve(__dirname, '..', 'programs');

/** A server process that prints "listening PORT" once it accepts connections. */
export class ServerProcess {
  private constructor(readonly child: ChildProcess, readonly port: number) {}

  static start(command: string, args: string[], env: NodeJS.ProcessEnv = {}, portPattern = /listening (\d+)/): Promise<ServerProcess> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${command} did not start: ${out}`)); }, 10_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = portPattern.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(new ServerProcess(child, Number(m[1])));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${command} exited ${code}: ${out}`)); });
    });
  }

  /** The node test server (programs/httpServer.js) as its own process. */
  static node(env: NodeJS.ProcessEnv = {}, port = 0): Promise<ServerProcess> {
    return ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'httpServer.js'), String(port)], env);
  }

  get pid(): number {
    return this.child.pid!;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((r) => {
      this.child.removeAllListeners('exit');
      this.child.once('exit', () => r());
      this.child.kill('SIGTERM');
      setTimeout(() => this.child.kill('SIGKILL'), 3000).unref();
    });
  }
}

export interface RunResult { code: number | null; stdout: string; stderr: string }

/** Runs a program to completion (curl, wrk, the node client). */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

export interface ClientResult { path: string; status: number; startNs: bigint; endNs: bigint }

/** The node test client (programs/httpClient.js): per-request wall-clock bounds measured by the client. */
export async function nodeClient(port: number, reqs: Array<{ method?: string; path: string; headers?: Record<string, string>; body?: string }>, keepAlive = true): Promise<{ pid: number | undefined; results: ClientResult[] }> {
  const r = await run(process.execPath, [path.join(PROGRAMS, 'httpClient.js'), String(port), JSON.stringify(reqs), keepAlive ? 'keepalive' : 'close']);
  if (r.code !== 0) throw new Error(`client failed: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout.trim()) as Array<{ path: string; status: number; startNs: string; endNs: string }>;
  return { pid: undefined, results: parsed.map((p) => ({ ...p, startNs: BigInt(p.startNs), endNs: BigInt(p.endNs) })) };
}
