/** Resource use of one process (all its threads) from /proc. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface CpuTimes {
  user: number;
  sys: number;
}

/** utime and stime in seconds (fields 14 and 15 of /proc/PID/stat). */
export function cpuTimes(pid: number): CpuTimes {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const hz = clockTicks();
  return { user: Number(fields[11]) / hz, sys: Number(fields[12]) / hz };
}

export function cpuDelta(before: CpuTimes, after: CpuTimes): CpuTimes & { total: number } {
  const user = after.user - before.user;
  const sys = after.sys - before.sys;
  return { user, sys, total: user + sys };
}

/** Peak resident set size in bytes (VmHWM), 0 if the process is gone. */
export function peakRssBytes(pid: number): number {
  return statusKb(pid, 'VmHWM') * 1024;
}

export function rssBytes(pid: number): number {
  return statusKb(pid, 'VmRSS') * 1024;
}

function statusKb(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** 1-minute load average: recorded with each run, as others may share the machine. */
export function loadAverage(): number {
  return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
