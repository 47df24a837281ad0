import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PROGRAMS } from './Programs';

/** CPU hogs pinned to one CPU (programs/cpuHog.js, comm = name), killed by stop() or after their own deadline. */
export class CpuHogs {
  private readonly hogs: ChildProcess[] = [];

  constructor(readonly name = 'kspan-hog') {}

  start(count: number, cpu: number, nice = -10, maxMs = 120_000): void {
    for (let i = 0; i < count; i++) {
      this.hogs.push(spawn('taskset', ['-c', String(cpu), 'nice', '-n', String(nice), process.execPath,
        path.join(PROGRAMS, 'cpuHog.js'), this.name, String(maxMs)], { stdio: 'ignore' }));
    }
  }

  stop(): void {
    for (const h of this.hogs.splice(0)) if (h.exitCode === null) h.kill('SIGKILL');
  }
}

/** A random DROP on loopback traffic to a port (real packet loss, real retransmits). remove() is idempotent. */
export class LoopbackDrop {
  private active = false;

  constructor(readonly port: number, readonly probability: number) {}

  private rule(op: '-I' | '-D'): string[] {
    return [op, 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', String(this.port), '-m', 'statistic',
      '--mode', 'random', '--probability', String(this.probability), '-j', 'DROP'];
  }

  add(): void {
    execFileSync('iptables', this.rule('-I'));
    this.active = true;
  }

  remove(): void {
    if (!this.active) return;
    this.active = false;
    execFileSync('iptables', this.rule('-D'));
  }

  static available(): boolean {
    try {
      execFileSync('iptables', ['-L', 'INPUT', '-n'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}

/** Moves this process (all threads) to one CPU; returns a function restoring the previous affinity. */
export function pinSelf(cpu: number): () => void {
  const before = execFileSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' }).trim().split(':').pop()!.trim();
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
  return () => execFileSync('taskset', ['-a', '-p', before, String(process.pid)], { stdio: 'ignore' });
}

/** TCP segments retransmitted host-wide so far (/proc/net/snmp Tcp RetransSegs): ground truth for recall. */
export function retransSegs(): number {
  const snmp = fs.readFileSync('/proc/net/snmp', 'utf8');
  const lines = snmp.split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/);
  return Number(values[names.indexOf('RetransSegs')]);
}
