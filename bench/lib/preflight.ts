/** What the macro suites need, checked before anything starts. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { KSPAN_CLI } from './KspanAgent';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Problems that stop the macro suites; empty when all is there. */
export function preflight(): string[] {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('kspan needs root (BPF): run `sudo npm run bench`');
  for (const tool of ['wrk', 'nginx', 'go']) if (!has(tool)) problems.push(`${tool} not found in PATH`);
  if (!fs.existsSync(KSPAN_CLI)) problems.push(`${KSPAN_CLI} missing: run npm run build`);
  return problems;
}

export function hasBpftool(): boolean {
  return has('bpftool');
}
