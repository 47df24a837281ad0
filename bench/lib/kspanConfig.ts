/**
 * The kspan configuration every benchmark run uses: the production shape
 * (every family on, every process traced, default ring buffer, batch and
 * span hold), minus the console exporter, which at 10^4 spans/s would
 * measure the terminal.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { makeTempDir, removeTempDir } from './cleanup';

/**
 * The bench's kspan config. Families are turned on by name from what the
 * config loader resolves, so a family added later is benchmarked too.
 */
export function benchConfigYaml(dir: string, metricsPort: number): string {
  return configYaml(path.join(dir, 'spans.jsonl'), metricsPort, allFamiliesOn());
}

function configYaml(spansFile: string, metricsPort: number, families: string): string {
  return [
    'receivers:',
    '  kernel:',
    `    families: { ${families} }`,
    'exporters:',
    `  file: { path: ${spansFile} }`,
    `  prometheus: { endpoint: 127.0.0.1:${metricsPort} }`,
    'service:',
    '  pipelines:',
    '    traces: { exporters: [file] }',
    '    metrics: { exporters: [prometheus] }',
    '',
  ].join('\n');
}

let families: string | undefined;

function allFamiliesOn(): string {
  if (families === undefined) {
    const dir = makeTempDir('config');
    try {
      const probe = path.join(dir, 'probe.yaml');
      fs.writeFileSync(probe, configYaml(path.join(dir, 'spans.jsonl'), 9464, ''));
      const resolved = loadConfig({ path: probe, env: {} }).config.kernel.families;
      families = Object.keys(resolved).map((f) => `${f}: true`).join(', ');
    } finally {
      removeTempDir(dir);
    }
  }
  return families;
}
