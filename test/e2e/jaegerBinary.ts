import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const JAEGER_CONFIG = path.join(REPO_ROOT, 'otel-config', 'jaeger-e2e.yaml');
const SETUP = path.join(REPO_ROOT, 'scripts', 'setup-jaeger.sh');

function goInstalled(): boolean {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/go/bin'];
  return dirs.some((d) => d && fs.existsSync(path.join(d, 'go')));
}

/** Why the Jaeger e2e tests cannot run, or false. Only a missing Go toolchain skips them. */
export function jaegerSkipReason(): string | false {
  return goInstalled() ? false : 'needs the Go toolchain to build Jaeger (scripts/install-deps.sh --test installs it)';
}

let building: Promise<string> | undefined;

/** Builds (first time: minutes) or reuses the cached Jaeger binary; resolves to its path. */
export function jaegerBinary(): Promise<string> {
  building ??= new Promise((resolve, reject) => {
    const child = spawn('bash', [SETUP], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const bin = out.trim().split('\n').pop() ?? '';
      if (code === 0 && bin && fs.existsSync(bin)) resolve(bin);
      else reject(new Error(`scripts/setup-jaeger.sh failed (exit ${code})`));
    });
  });
  return building;
}
