/**
 * Other kspan agents on the machine trace our workload too (and so slow the
 * "without kspan" runs): the bench notes any it sees, it does not stop them.
 */
import * as fs from 'fs';

export function foreignKspanAgents(ours: Set<number>): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || ours.has(pid) || pid === process.pid) continue;
    let cmd: string[];
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (cmd.some((a) => /(^|\/)src\/cli\.js$/.test(a)) && cmd.includes('run')) found.push(pid);
  }
  return found;
}

/** Samples the machine every few seconds while the bench runs. */
export class InterferenceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  private withForeign = 0;
  private readonly foreign = new Set<number>();
  private loadSum = 0;
  private loadMax = 0;

  constructor(private readonly ours: () => Set<number>, private readonly everyMs = 2000) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  private sample(): void {
    this.samples++;
    const f = foreignKspanAgents(this.ours());
    if (f.length) this.withForeign++;
    for (const p of f) this.foreign.add(p);
    const load = Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    this.loadSum += load;
    this.loadMax = Math.max(this.loadMax, load);
  }

  stop(): string[] {
    if (this.timer) clearInterval(this.timer);
    const notes: string[] = [];
    if (this.withForeign) {
      const pids = [...this.foreign];
      const shown = pids.length > 5 ? `${pids.slice(0, 5).join(', ')} and ${pids.length - 5} more` : pids.join(', ');
      notes.push(`another kspan agent was running in ${this.withForeign} of ${this.samples} samples (pids ${shown}): ` +
        'it traced the "without kspan" runs too, so overhead figures are understated and noisy');
    }
    if (this.samples) notes.push(`1-min load average during the run: mean ${(this.loadSum / this.samples).toFixed(1)}, max ${this.loadMax.toFixed(1)} (the bench alone keeps 2 to 3 processes busy)`);
    return notes;
  }
}
