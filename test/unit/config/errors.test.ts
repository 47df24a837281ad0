import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config';
import { assertConfigError, load, withTraces } from './helpers';

const CONSOLE_TRACES = withTraces('  console:', 'console');

/** CONSOLE_TRACES plus a kernel receiver section. */
function kernel(body: string): string {
  return `receivers:\n  kernel:\n${body}\n${CONSOLE_TRACES}`;
}

describe('config errors: the document', () => {
  it('an unreadable file', () => {
    const missing = join(tmpdir(), 'kspan-no-such-dir', 'config.yaml');
    const error = assertConfigError(() => loadConfig({ path: missing, env: {} }), '', /cannot read config file .*config\.yaml: ENOENT/);
    assert.equal(error.source, undefined);
    assertConfigError(() => loadConfig({ env: { KSPAN_CONFIG: missing } }), 'KSPAN_CONFIG', /ENOENT/);
  });

  it('a YAML syntax error, with its line', () => {
    const error = assertConfigError(
      () => load('exporters:\n  file:\n    path: [unclosed\nservice: {}\n'),
      '',
      /YAML syntax error at line \d+, column \d+: /,
    );
    assert.equal(error.source, 'inline config');
    assertConfigError(() => load('exporters:\n  file: {}\n  file: {}\n'), '', /YAML syntax error at line 3, column 3: .*unique/);
    assertConfigError(() => load('a: 1\n---\nb: 2\n'), '', /YAML syntax error at line 2/);
  });

  it('a document that is not a map', () => {
    assertConfigError(() => load('- exporters\n'), '', /expected a map of sections/);
  });

  it('prefixes the source to the message', () => {
    const error = assertConfigError(() => loadConfig({ yamlText: 'exporter: {}', path: '/etc/kspan.yaml', env: {} }), 'exporter');
    assert.ok(error.message.startsWith('/etc/kspan.yaml: exporter: unknown top-level key'), error.message);
    assert.equal(error.detail.startsWith('unknown top-level key'), true);
  });
});

describe('config errors: unknown keys', () => {
  it('an unknown top-level key, with a suggestion for a typo', () => {
    assertConfigError(() => load('exporter:\n  console: {}\n'), 'exporter', /did you mean "exporters"\?.*receivers, processors, exporters, service/);
    assertConfigError(() => load(`${CONSOLE_TRACES}extensions: {}\n`), 'extensions', /unknown top-level key/);
  });

  it('unknown keys inside known sections', () => {
    assertConfigError(() => load(kernel('    payload_byte: 100')), 'receivers.kernel.payload_byte', /did you mean "payload_bytes"/);
    assertConfigError(() => load(kernel('    families: { socket: true }')), 'receivers.kernel.families.socket', /sockets/);
    assertConfigError(() => load(kernel('    discovery: { pid: [1] }')), 'receivers.kernel.discovery.pid', /pids/);
    assertConfigError(() => load(withTraces('  otlp:\n    endpiont: x:1', 'otlp')), 'exporters.otlp.endpiont', /did you mean "endpoint"/);
    assertConfigError(() => load(withTraces('  otlp:\n    tls: { insecure_skip_verify: true }', 'otlp')), 'exporters.otlp.tls.insecure_skip_verify');
    assertConfigError(() => load(withTraces('  otlp:\n    traces_endpoint: http://a:1/v1/traces', 'otlp')), 'exporters.otlp.traces_endpoint');
    assertConfigError(() => load(withTraces('  file:\n    path: /x\n    rotation: {}', 'file')), 'exporters.file.rotation');
    assertConfigError(() => load(withTraces('  console:\n    verbose: true', 'console')), 'exporters.console.verbose');
    assertConfigError(() => load(`processors:\n  batch:\n    timout: 1s\n${CONSOLE_TRACES}`), 'processors.batch.timout', /did you mean "timeout"/);
    assertConfigError(() => load('exporters:\n  console:\nservice:\n  pipeline: {}\n'), 'service.pipeline', /did you mean "pipelines"/);
    assertConfigError(
      () => load('exporters:\n  console:\nservice:\n  pipelines:\n    traces:\n      exporter: [console]\n'),
      'service.pipelines.traces.exporter',
      /did you mean "exporters"/,
    );
    assertConfigError(() => load(`${CONSOLE_TRACES}  telemetry:\n    logs:\n      lvl: info\n`), 'service.telemetry.logs.lvl');
    assertConfigError(() => load(`${CONSOLE_TRACES}  telemetry:\n    metrics: {}\n`), 'service.telemetry.metrics');
  });

  it('unknown receivers, processors and pipeline types', () => {
    assertConfigError(() => load(`receivers:\n  otlp: {}\n${CONSOLE_TRACES}`), 'receivers.otlp', /unknown receiver; expected one of kernel/);
    assertConfigError(() => load(`processors:\n  memory_limiter: {}\n${CONSOLE_TRACES}`), 'processors.memory_limiter', /expected batch/);
    assertConfigError(
      () => load('exporters:\n  console:\nservice:\n  pipelines:\n    logs:\n      exporters: [console]\n'),
      'service.pipelines.logs',
      /unknown pipeline type "logs"; expected traces or metrics/,
    );
  });
});

describe('config errors: exporters', () => {
  it('an unknown exporter type, bare or named', () => {
    assertConfigError(() => load(withTraces('  jaeger: {}', 'jaeger')), 'exporters.jaeger', /unknown exporter type "jaeger"; expected one of otlp, otlphttp, file, console/);
    assertConfigError(() => load(withTraces('  zipkin/x: {}', 'zipkin/x')), 'exporters.zipkin/x', /"zipkin"/);
    assertConfigError(() => load(withTraces('  otlp/: {}', 'otlp/')), 'exporters.otlp/', /invalid exporter id/);
  });

  it('accepts debug as console, and named instances', () => {
    const { config } = load(withTraces('  debug:\n    verbosity: detailed\n  console/2:', 'debug, console/2'));
    assert.deepEqual(config.traces?.exporters, [
      { type: 'console', name: 'debug' },
      { type: 'console', name: 'console/2' },
    ]);
    assertConfigError(() => load(withTraces('  debug:\n    verbosity: loud', 'debug')), 'exporters.debug.verbosity', /basic, normal, detailed/);
  });

  it('a pipeline that references an undefined exporter', () => {
    assertConfigError(() => load(withTraces('  console:', 'console, otlp')), 'service.pipelines.traces.exporters[1]', /"otlp" which is not defined under exporters/);
  });

  it('an exporter in a pipeline of the wrong signal', () => {
    assertConfigError(
      () => load(withTraces('  prometheus:', 'prometheus')),
      'service.pipelines.traces.exporters[0]',
      /"prometheus" \(prometheus\) cannot export traces; it only exports metrics/,
    );
  });

  it('wrong value types', () => {
    assertConfigError(() => load('exporters: [console]\n'), 'exporters', /expected a map, got a list/);
    assertConfigError(() => load(withTraces('  otlp: 4317', 'otlp')), 'exporters.otlp', /expected a map, got number 4317/);
    assertConfigError(() => load(withTraces('  otlp:\n    endpoint: 4317', 'otlp')), 'exporters.otlp.endpoint', /got number 4317/);
    assertConfigError(() => load(withTraces('  otlp:\n    endpoint: "localhost:abc"', 'otlp')), 'exporters.otlp.endpoint', /"host:port"/);
    assertConfigError(() => load(withTraces('  otlp:\n    endpoint: "localhost"', 'otlp')), 'exporters.otlp.endpoint');
    assertConfigError(() => load(withTraces('  otlp:\n    endpoint: "ftp://a:1"', 'otlp')), 'exporters.otlp.endpoint');
    assertConfigError(() => load(withTraces('  otlp:\n    tls: { insecure: yes }', 'otlp')), 'exporters.otlp.tls.insecure', /expected true or false, got string "yes"/);
    assertConfigError(() => load(withTraces('  otlp:\n    headers: { a: { b: c } }', 'otlp')), 'exporters.otlp.headers.a', /expected a string, got a map/);
    assertConfigError(() => load(withTraces('  otlp:\n    headers: [a]', 'otlp')), 'exporters.otlp.headers', /expected a map/);
    assertConfigError(() => load(withTraces('  otlphttp:\n    endpoint: "localhost:4318"', 'otlphttp')), 'exporters.otlphttp.endpoint', /http:\/\/ or https:\/\/ URL/);
    assertConfigError(() => load(withTraces('  file:\n    path: 5', 'file')), 'exporters.file.path', /non-empty string, got number 5/);
    assertConfigError(() => load(withTraces('  file: {}', 'file')), 'exporters.file.path', /required/);
    const prometheus = (endpoint: string): string =>
      `exporters:\n  prometheus:\n    endpoint: ${endpoint}\nservice:\n  pipelines:\n    metrics:\n      exporters: [prometheus]\n`;
    assertConfigError(() => load(prometheus('"127.0.0.1:abc"')), 'exporters.prometheus.endpoint', /"host:port" with port 1\.\.65535, got string "127\.0\.0\.1:abc"/);
    assertConfigError(() => load(prometheus('"127.0.0.1:70000"')), 'exporters.prometheus.endpoint');
    assertConfigError(() => load(prometheus('9464')), 'exporters.prometheus.endpoint', /got number 9464/);
    const ok = (endpoint: string): unknown => load(prometheus(endpoint)).config.metrics?.exporters[0];
    assert.deepEqual(ok('"[::1]:9100"'), { type: 'prometheus', name: 'prometheus', host: '::1', port: 9100 });
    assert.deepEqual(ok('":9100"'), { type: 'prometheus', name: 'prometheus', host: '0.0.0.0', port: 9100 });
  });

  it('an invalid endpoint from the environment names the variable', () => {
    assertConfigError(() => load(withTraces('  otlp:', 'otlp'), { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }), 'OTEL_EXPORTER_OTLP_ENDPOINT');
    assertConfigError(
      () => load(withTraces('  otlphttp:', 'otlphttp'), { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' }),
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      /http:\/\/ or https:\/\//,
    );
  });
});

describe('config errors: kernel receiver and batch processor', () => {
  it('wrong value types', () => {
    assertConfigError(() => load(kernel('    payload_bytes: big')), 'receivers.kernel.payload_bytes', /expected an integer 64\.\.4096, got string "big"/);
    assertConfigError(() => load(kernel('    payload_bytes: 100.5')), 'receivers.kernel.payload_bytes');
    assertConfigError(() => load(kernel('    redact_query: yes')), 'receivers.kernel.redact_query', /true or false/);
    assertConfigError(() => load(kernel('    families: { sockets: 1 }')), 'receivers.kernel.families.sockets');
    assertConfigError(() => load(kernel('    discovery: { ports: ["abc"] }')), 'receivers.kernel.discovery.ports[0]', /expected an integer 1\.\.65535, got string "abc"/);
    assertConfigError(() => load(kernel('    discovery: { ports: 8080 }')), 'receivers.kernel.discovery.ports', /expected a list/);
    assertConfigError(() => load(kernel('    discovery: { executables: [nginx, ""] }')), 'receivers.kernel.discovery.executables[1]');
    assertConfigError(() => load(kernel('    discovery: []')), 'receivers.kernel.discovery', /expected a map/);
    assertConfigError(() => load(`receivers: [kernel]\n${CONSOLE_TRACES}`), 'receivers', /expected a map/);
    assertConfigError(() => load(`processors:\n  batch:\n    send_batch_size: "512x"\n${CONSOLE_TRACES}`), 'processors.batch.send_batch_size');
  });

  it('out-of-range numbers', () => {
    assertConfigError(() => load(kernel('    payload_bytes: 10000')), 'receivers.kernel.payload_bytes', /64\.\.4096, got 10000/);
    assertConfigError(() => load(kernel('    payload_bytes: 32')), 'receivers.kernel.payload_bytes');
    assertConfigError(() => load(kernel('    ring_buffer_bytes: 12288')), 'receivers.kernel.ring_buffer_bytes', /power of two/);
    assertConfigError(() => load(kernel('    ring_buffer_bytes: 2048')), 'receivers.kernel.ring_buffer_bytes', /4096\.\./);
    assertConfigError(() => load(kernel('    discovery: { pids: [0] }')), 'receivers.kernel.discovery.pids[0]');
    assertConfigError(() => load(kernel('    discovery: { ports: [8080, 65536] }')), 'receivers.kernel.discovery.ports[1]', /got 65536/);
    assertConfigError(() => load(`processors:\n  batch:\n    max_queue_size: 0\n${CONSOLE_TRACES}`), 'processors.batch.max_queue_size');
    assertConfigError(
      () => load(`processors:\n  batch:\n    send_batch_size: 1000\n    max_queue_size: 100\n${CONSOLE_TRACES}`),
      'processors.batch.send_batch_size',
      /at most max_queue_size \(100\), got 1000/,
    );
    assertConfigError(() => load(withTraces('  otlp:\n    timeout: 1h', 'otlp')), 'exporters.otlp.timeout');
  });

  it('accepts numbers written as strings, and send_batch_max_size', () => {
    const { config } = load(`processors:\n  batch:\n    send_batch_size: "128"\n    send_batch_max_size: 1024\n${CONSOLE_TRACES}`);
    assert.equal(config.traces?.batch.sendBatchSize, 128);
  });
});

describe('config errors: pipelines', () => {
  it('no pipelines at all', () => {
    assertConfigError(() => load('exporters:\n  console:\n'), 'service.pipelines', /at least one pipeline/);
    assertConfigError(() => load(''), 'service.pipelines');
  });

  it('a pipeline without exporters', () => {
    assertConfigError(() => load('exporters:\n  console:\nservice:\n  pipelines:\n    traces:\n'), 'service.pipelines.traces.exporters', /required/);
    assertConfigError(() => load(withTraces('  console:', '')), 'service.pipelines.traces.exporters', /required/);
  });

  it('the same exporter twice in one list', () => {
    assertConfigError(() => load(withTraces('  console:', 'console, console')), 'service.pipelines.traces.exporters[1]', /lists "console" twice/);
  });

  it('undefined receivers and processors, or too many processors', () => {
    const pipeline = (extra: string, sections = ''): string =>
      `${sections}exporters:\n  console:\nservice:\n  pipelines:\n    traces:\n      exporters: [console]\n      ${extra}\n`;
    assertConfigError(() => load(pipeline('receivers: [otlp]')), 'service.pipelines.traces.receivers[0]', /"otlp" which is not defined/);
    assertConfigError(() => load(pipeline('receivers: []')), 'service.pipelines.traces.receivers', /at least one receiver/);
    assertConfigError(() => load(pipeline('processors: [batch/big]')), 'service.pipelines.traces.processors[0]', /"batch\/big" which is not defined/);
    assertConfigError(
      () => load(pipeline('processors: [batch, batch/2]', 'processors:\n  batch/2:\n')),
      'service.pipelines.traces.processors',
      /at most one batch processor/,
    );
  });
});
