import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import { PROGRAMS } from './Programs';

export interface RawResponse { status: number; body: string }
export interface SendResult { responses: RawResponse[]; startNs: bigint; endNs: bigint; closed: boolean }

/**
 * Drives programs/rawClient.js (its own process, so kspan sees it as a
 * separate "node" client) one command at a time.
 */
export class RawClient {
  private readonly replies: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.replies.push(line);
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  static start(): RawClient {
    return new RawClient(spawn(process.execPath, [path.join(PROGRAMS, 'rawClient.js')], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  private command<T>(cmd: Record<string, unknown>): Promise<T> {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rawClient: no reply to ${JSON.stringify(cmd)}: ${this.stderr}`)), 15_000);
      const take = (line: string) => {
        clearTimeout(timer);
        const o = JSON.parse(line) as T & { error?: string };
        if (o.error) reject(new Error(`rawClient: ${o.error}`));
        else resolve(o);
      };
      const queued = this.replies.shift();
      if (queued !== undefined) take(queued);
      else this.waiting = take;
    });
  }

  /** Connects to 127.0.0.1:port; returns the client's local port (the server sees it as client.port). */
  async connect(port: number): Promise<number> {
    return (await this.command<{ localPort: number }>({ op: 'connect', port })).localPort;
  }

  /** Writes data in one write(2) and reads `expect` complete HTTP responses. */
  async send(data: string | Buffer, expect: number): Promise<SendResult> {
    const payload = typeof data === 'string' ? { data } : { hex: data.toString('hex') };
    const r = await this.command<{ responses: RawResponse[]; startNs: string; endNs: string; closed: boolean }>({ op: 'send', ...payload, expect });
    return { responses: r.responses, startNs: BigInt(r.startNs), endNs: BigInt(r.endNs), closed: r.closed };
  }

  /** Writes data in one write(2) and collects whatever comes back for waitMs (or until close). */
  sendRaw(data: string | Buffer, waitMs = 300): Promise<{ received: number; closed: boolean }> {
    const payload = typeof data === 'string' ? { data } : { hex: data.toString('hex') };
    return this.command({ op: 'send', ...payload, waitMs });
  }

  async close(): Promise<void> {
    await this.command({ op: 'close' });
  }

  /** SIGKILL: the process dies without closing its socket itself (the kernel does). */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((r) => {
      this.child.once('exit', () => r());
      this.child.stdin!.end();
      setTimeout(() => this.child.kill('SIGKILL'), 3000).unref();
    });
  }
}
