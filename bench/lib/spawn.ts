import { ChildProcess, spawn } from 'child_process';
import { trackChild } from './cleanup';

/** A long-running child with its output captured and its exit awaited. */
export class Child {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    trackChild(proc);
    proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : null);
      resolve(this.exitCode);
    }));
  }

  static start(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Child {
    return new Child(spawn(command, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error('process did not start');
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Resolves when `pattern` appears in stdout+stderr; rejects on exit or timeout. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.stdout + this.stderr);
      if (m) return m;
      if (!this.running) throw new Error(`exited (${this.exitCode}) before ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(20);
    }
  }

  /** SIGTERM, SIGKILL after graceMs; resolves with the exit code. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exitCode;
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    this.proc.kill('SIGTERM');
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  tail(chars = 2000): string {
    return (this.stdout + this.stderr).slice(-chars);
  }
}

/** Runs a command to completion; rejects on non-zero exit (with its output). */
export async function runToEnd(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  const child = Child.start(command, args, options.env, options.cwd);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${child.tail()}`);
  return { stdout: child.stdout, stderr: child.stderr };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
