import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationMs } from '../../../src/config';
import { assertConfigError, load, withTraces } from './helpers';

describe('durations', () => {
  it('parses collector (Go) duration strings into ms', () => {
    const cases: Array<[string, number]> = [
      ['200ms', 200],
      ['5s', 5000],
      ['1m', 60_000],
      ['1h', 3_600_000],
      ['1m30s', 90_000],
      ['1.5s', 1500],
      ['.5s', 500],
      ['500us', 0.5],
      ['500µs', 0.5],
      ['2000000ns', 2],
      ['0', 0],
      ['300', 300],
      [' 5s ', 5000],
    ];
    for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
  });

  it('rejects what is not a duration', () => {
    for (const text of ['', 'soon', '5 s', '5x', '-1s', 's', '1s2', 'ms5', '1e3ms']) {
      assert.equal(parseDurationMs(text), undefined, text);
    }
  });

  it('accepts strings or numbers (ms) in every duration setting', () => {
    const yaml = `receivers:
  kernel:
    span_hold: 200ms
    metrics_interval: 1m
processors:
  batch:
    timeout: 250
exporters:
  otlp:
    timeout: 2s
  prometheus:
service:
  pipelines:
    traces:
      exporters: [otlp]
    metrics:
      exporters: [prometheus]
`;
    const { config } = load(yaml);
    assert.equal(config.kernel.spanHoldMs, 200);
    assert.equal(config.metrics?.intervalMs, 60_000);
    assert.equal(config.traces?.batch.timeoutMs, 250);
    const otlp = config.traces?.exporters[0];
    assert.equal(otlp?.type === 'otlp' ? otlp.timeoutMs : undefined, 2000);
  });

  it('names the key of a bad or out-of-range duration', () => {
    const kernel = (value: string): string => `receivers:\n  kernel:\n    span_hold: ${value}\n${withTraces('  console:', 'console')}`;
    assertConfigError(() => load(kernel('soon')), 'receivers.kernel.span_hold', /expected a duration 0ms\.\.1m.*got string "soon"/);
    assertConfigError(() => load(kernel('2m')), 'receivers.kernel.span_hold', /got 2m/);
    assertConfigError(() => load(kernel('-5')), 'receivers.kernel.span_hold', /got -5ms/);
    assertConfigError(() => load(kernel('[1s]')), 'receivers.kernel.span_hold', /got a list/);
    assertConfigError(
      () => load(`receivers:\n  kernel:\n    metrics_interval: 10ms\n${withTraces('  console:', 'console')}`),
      'receivers.kernel.metrics_interval',
      /1s\.\.1h/,
    );
    assertConfigError(
      () => load(`processors:\n  batch:\n    timeout: 0s\n${withTraces('  console:', 'console')}`),
      'processors.batch.timeout',
    );
  });
});
