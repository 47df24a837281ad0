/** Shared by the config tests: load inline YAML with a controlled environment. */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/config';
import type { LoadConfigResult } from '../../../src/config';

export function load(yamlText: string, env: NodeJS.ProcessEnv = {}): LoadConfigResult {
  return loadConfig({ yamlText, env });
}

/** Asserts a ConfigError for `key`, one line, naming the key (and `pattern`, if given). */
export function assertConfigError(fn: () => unknown, key: string, pattern?: RegExp): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.key, key, caught.message);
  assert.ok(!caught.message.includes('\n'), `message is one line: ${caught.message}`);
  if (key !== '') assert.ok(caught.message.includes(`${key}: `), `message names ${key}: ${caught.message}`);
  if (pattern !== undefined) assert.match(caught.message, pattern);
  return caught;
}

/** A minimal valid config around `exporters` so a test can focus on one section. */
export function withTraces(exportersYaml: string, pipelineExporters: string): string {
  return `exporters:\n${exportersYaml}\nservice:\n  pipelines:\n    traces:\n      exporters: [${pipelineExporters}]\n`;
}
