import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertConfigError, load } from './helpers';

const EXPORTERS = `exporters:
  console:
  file: { path: /tmp/a.jsonl }
  otlp:
  prometheus:
`;

describe('pipelines', () => {
  it('default receivers [kernel] and processors [batch]', () => {
    const { config } = load(`${EXPORTERS}service:\n  pipelines:\n    traces:\n      exporters: [console, file, otlp]\n    metrics:\n      exporters: [prometheus]\n`);
    assert.deepEqual(config.traces?.batch, { timeoutMs: 1000, sendBatchSize: 512, maxQueueSize: 8192 });
    assert.deepEqual(config.metrics?.exporters.map((e) => e.name), ['prometheus']);
  });

  it('merges traces/<name> into traces, deduplicating exporters in order', () => {
    const { config, warnings } = load(`${EXPORTERS}service:
  pipelines:
    traces/a:
      exporters: [file, console]
    traces:
      exporters: [otlp, file]
    metrics/x:
      exporters: [prometheus]
`);
    assert.deepEqual(config.traces?.exporters.map((e) => e.name), ['file', 'console', 'otlp']);
    assert.deepEqual(config.metrics?.exporters.map((e) => e.name), ['prometheus']);
    assert.deepEqual(warnings, []);
  });

  it('uses the named batch processor a pipeline lists, and its settings', () => {
    const { config } = load(`processors:
  batch/big: { send_batch_size: 2048, max_queue_size: 65536, timeout: 5s }
${EXPORTERS}service:
  pipelines:
    traces:
      processors: [batch/big]
      exporters: [console]
    traces/b:
      processors: [batch/big]
      exporters: [file]
    metrics:
      processors: []
      exporters: [prometheus]
`);
    assert.deepEqual(config.traces?.batch, { timeoutMs: 5000, sendBatchSize: 2048, maxQueueSize: 65536 });
    assert.deepEqual(config.metrics?.batch, { timeoutMs: 1000, sendBatchSize: 512, maxQueueSize: 8192 });
  });

  it('rejects merged pipelines that disagree on the batch processor', () => {
    assertConfigError(
      () =>
        load(`processors:\n  batch/big: {}\n${EXPORTERS}service:
  pipelines:
    traces:
      exporters: [console]
    traces/b:
      processors: [batch/big]
      exporters: [file]
`),
      'service.pipelines.traces/b.processors',
      /uses "batch\/big" but "traces" uses "batch"/,
    );
  });

  it('a metrics-only config has no traces pipeline, and takes its interval from the kernel receiver', () => {
    const { config } = load(`receivers:\n  kernel:\n    metrics_interval: 30s\nexporters:\n  prometheus:\nservice:\n  pipelines:\n    metrics:\n      exporters: [prometheus]\n`);
    assert.equal('traces' in config, false);
    assert.equal(config.metrics?.intervalMs, 30_000);
    assert.deepEqual(config.metrics?.exporters, [{ type: 'prometheus', name: 'prometheus', host: '127.0.0.1', port: 9464 }]);
  });

  it('gives each pipeline its own exporter object', () => {
    const { config } = load(`${EXPORTERS}service:\n  pipelines:\n    traces:\n      exporters: [otlp, console, file]\n    metrics:\n      exporters: [otlp, prometheus, console, file]\n`);
    assert.notEqual(config.traces?.exporters[0], config.metrics?.exporters[0]);
    assert.deepEqual(config.traces?.exporters[0], config.metrics?.exporters[0]);
  });

  it('warns about exporters no pipeline uses', () => {
    const { warnings } = load(`${EXPORTERS}service:\n  pipelines:\n    traces:\n      exporters: [console]\n`);
    assert.deepEqual(warnings, [
      'exporters.file: defined but not used in any pipeline',
      'exporters.otlp: defined but not used in any pipeline',
      'exporters.prometheus: defined but not used in any pipeline',
    ]);
  });

  it('still validates an unused exporter', () => {
    assertConfigError(
      () => load(`exporters:\n  console:\n  otlp:\n    endpoint: nope\nservice:\n  pipelines:\n    traces:\n      exporters: [console]\n`),
      'exporters.otlp.endpoint',
    );
  });
});
