import * as fs from 'fs';
import * as path from 'path';
import { ProcessIdentity } from '../../correlate/span';

interface CacheEntry {
  identity: ProcessIdentity;
  startTime: string;
}

const MAX_CACHED = 8192;

/**
 * pid → service identity, from /proc: OTEL_SERVICE_NAME in the environment,
 * else the executable's name. Short-lived processes (curl) may be gone by
 * the time we ask; the kernel's comm is the fallback. Entries are checked
 * against the process start time so a reused pid is not misnamed.
 */
export class ProcessResolver {
  private readonly cache = new Map<number, CacheEntry>();

  constructor(private readonly procRoot = '/proc') {}

  resolve(pid: number, comm?: string): ProcessIdentity {
    const startTime = this.startTime(pid);
    const hit = this.cache.get(pid);
    if (hit && (startTime === undefined || hit.startTime === startTime)) return hit.identity;
    const identity = this.read(pid, comm);
    // Gone, and no comm to name it: not cached, so a later event carrying the comm (events of
    // one process arrive on several ring buffers, in any order) names it properly.
    if (identity.executablePath === undefined && !comm) return identity;
    if (startTime !== undefined || !hit) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(pid, { identity, startTime: startTime ?? '' });
    }
    return identity;
  }

  /** Remembers a process seen by the kernel (with its comm) before it can exit. */
  observe(pid: number, comm: string): void {
    if (!this.cache.has(pid)) this.resolve(pid, comm);
  }

  private read(pid: number, comm?: string): ProcessIdentity {
    let executablePath: string | undefined;
    try {
      executablePath = fs.readlinkSync(`${this.procRoot}/${pid}/exe`).replace(/ \(deleted\)$/, '');
    } catch {
      executablePath = undefined;
    }
    const executableName = executablePath ? path.basename(executablePath) : comm || `pid-${pid}`;
    const serviceName = this.serviceNameFromEnv(pid) ?? executableName;
    const id: ProcessIdentity = { pid, serviceName, executableName };
    if (executablePath) id.executablePath = executablePath;
    return id;
  }

  private serviceNameFromEnv(pid: number): string | undefined {
    try {
      const env = fs.readFileSync(`${this.procRoot}/${pid}/environ`, 'latin1');
      for (const entry of env.split('\0')) {
        if (entry.startsWith('OTEL_SERVICE_NAME=')) {
          const v = entry.slice('OTEL_SERVICE_NAME='.length).trim();
          if (v) return v;
        }
      }
    } catch {
      /* gone, or not permitted: fall back to the executable */
    }
    return undefined;
  }

  private startTime(pid: number): string | undefined {
    try {
      const stat = fs.readFileSync(`${this.procRoot}/${pid}/stat`, 'latin1');
      // Field 22 (starttime); fields after the parenthesised comm, which may contain spaces.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    } catch {
      return undefined;
    }
  }
}
