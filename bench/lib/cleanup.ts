/**
 * Everything the bench starts is registered here and torn down on every way
 * out (normal end, exception, Ctrl-C): no server, kspan or temp dir outlives
 * a run. Processes are killed by their own pid only.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export function trackChild(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kspan-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** SIGTERM everything still running, SIGKILL what is left after a grace period, remove temp dirs. */
export async function cleanupAll(graceMs = 5000): Promise<void> {
  const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(alive.map((c) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => { c.kill('SIGKILL'); resolve(); }, graceMs);
    c.once('exit', () => { clearTimeout(timer); resolve(); });
    c.kill('SIGTERM');
  })));
  for (const d of [...dirs]) removeTempDir(d);
}

function killNow(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

let installed = false;

/** Last-resort handlers: synchronous kill on exit, graceful cleanup on signals. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
      void cleanupAll(2000).finally(() => process.exit(130));
    });
  }
}
