/** What the figures were measured on: they mean little without it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

export interface Machine {
  hostname: string;
  cpuModel: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  os: string;
  node: string;
  go: string;
  wrk: string;
  nginx: string;
  kspanCommit: string;
  kspanDirty: boolean;
}

/** First line a command prints, on stdout or stderr (nginx -v and wrk -v use stderr; wrk exits 1). */
function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).find(Boolean);
  return out ?? '?';
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

export function describeMachine(repo: string): Machine {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpuModel: cpus[0]?.model.trim() ?? '?',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    os: osName(),
    node: process.version,
    go: firstLine('go', ['version']),
    wrk: firstLine('wrk', ['-v']).replace(/ Copyright.*$/, ''),
    nginx: firstLine('nginx', ['-v']),
    kspanCommit: firstLine('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']),
    kspanDirty: spawnSync('git', ['-C', repo, 'status', '--porcelain'], { encoding: 'utf8' }).stdout.trim() !== '',
  };
}
