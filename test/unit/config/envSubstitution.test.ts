import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { substituteEnv } from '../../../src/config';
import { assertConfigError, load, withTraces } from './helpers';

function expand(text: string, env: NodeJS.ProcessEnv = {}): { value: unknown; warnings: string[] } {
  const warnings: string[] = [];
  return { value: substituteEnv(text, env, warnings, 'k'), warnings };
}

describe('env substitution', () => {
  it('replaces ${env:VAR} with its value, anywhere in a string', () => {
    assert.deepEqual(expand('${env:HOST}:4317', { HOST: 'collector' }), { value: 'collector:4317', warnings: [] });
    assert.equal(expand('${env:A}-${env:B}', { A: '1', B: '2' }).value, '1-2');
  });

  it('accepts the shorthand ${VAR}', () => {
    assert.equal(expand('${HOST}', { HOST: 'h' }).value, 'h');
  });

  it('uses the default only when the variable is unset', () => {
    assert.equal(expand('${env:PORT:-4317}').value, '4317');
    assert.equal(expand('${env:PORT:-4317}', { PORT: '9999' }).value, '9999');
    assert.equal(expand('${env:PORT:-4317}', { PORT: '' }).value, '');
    assert.equal(expand('${env:URL:-http://a:1/b}').value, 'http://a:1/b');
    assert.equal(expand('${env:X:-}').value, '');
  });

  it('turns an unset variable without default into "" and a warning naming the key', () => {
    const { value, warnings } = expand('a${env:MISSING}b');
    assert.equal(value, 'ab');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^k: environment variable MISSING is not set/);
  });

  it('reads $$ as a literal $ and leaves other $ alone', () => {
    assert.equal(expand('pa$$word').value, 'pa$word');
    assert.equal(expand('$${env:HOST}', { HOST: 'h' }).value, '${env:HOST}');
    assert.equal(expand('$$$${env:HOST}', { HOST: 'h' }).value, '$${env:HOST}');
    assert.equal(expand('$$${env:HOST}', { HOST: 'h' }).value, '$h');
    assert.equal(expand('cost $5 and $').value, 'cost $5 and $');
  });

  it('walks lists and maps, naming nested keys, and leaves map keys and non-strings alone', () => {
    const warnings: string[] = [];
    const value = substituteEnv({ '${env:K}': ['${env:V}', 3, true, null], n: { m: '${env:UNSET}' } }, { K: 'no', V: 'v' }, warnings);
    assert.deepEqual(value, { '${env:K}': ['v', 3, true, null], n: { m: '' } });
    assert.match(warnings[0]!, /^n\.m: /);
  });

  it('cannot inject YAML structure: a value is always one string', () => {
    const evil = 'x\nservice:\n  pipelines: {}\n[1, 2]';
    const { config } = load(withTraces('  file:\n    path: ${env:P}', 'file'), { P: evil });
    assert.deepEqual(config.traces?.exporters, [{ type: 'file', name: 'file', path: evil.trim() }]);
  });

  it('feeds numbers and booleans to typed settings', () => {
    const yaml = `receivers:\n  kernel:\n    payload_bytes: \${env:PB}\n    redact_query: \${env:RQ}\n    span_hold: \${env:HOLD:-1s}\n${withTraces('  console:', 'console')}`;
    const { config } = load(yaml, { PB: '1024', RQ: 'false' });
    assert.equal(config.kernel.payloadBytes, 1024);
    assert.equal(config.kernel.redactQuery, false);
    assert.equal(config.kernel.spanHoldMs, 1000);
    assertConfigError(() => load(yaml, { PB: 'lots', RQ: 'false' }), 'receivers.kernel.payload_bytes', /"lots"/);
  });

  it('reports unset variables as loader warnings', () => {
    const { config, warnings } = load(withTraces('  otlp:\n    endpoint: ${env:OTLP_HOST:-localhost}:4317\n    headers:\n      authorization: ${env:TOKEN}', 'otlp'));
    assert.equal(config.traces?.exporters[0]?.type === 'otlp' && config.traces.exporters[0].endpoint, 'localhost:4317');
    assert.deepEqual(warnings, ['exporters.otlp.headers.authorization: environment variable TOKEN is not set; using ""']);
  });

  it('rejects malformed references with the key', () => {
    assertConfigError(() => expand('${env:HOST'), 'k', /unterminated/);
    assertConfigError(() => expand('${env:1HOST}'), 'k', /invalid environment variable name/);
    assertConfigError(() => expand('${}'), 'k', /invalid environment variable name/);
    assertConfigError(() => expand('${file:/etc/x}'), 'k', /unsupported config provider "file"/);
    assertConfigError(() => load(withTraces('  file:\n    path: ${env:A B}', 'file')), 'exporters.file.path');
  });
});
