import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExporterConfig, OtlpExporterConfig } from '../../../src/config';
import { load, withTraces } from './helpers';

/** An exporter used by both pipelines, to see per-signal resolution. */
function bothSignals(exporterYaml: string, id: string): string {
  return `exporters:\n${exporterYaml}\nservice:\n  pipelines:\n    traces:\n      exporters: [${id}]\n    metrics:\n      exporters: [${id}]\n`;
}

function otlp(exporter: ExporterConfig | undefined): OtlpExporterConfig {
  assert.ok(exporter !== undefined && (exporter.type === 'otlp' || exporter.type === 'otlphttp'));
  return exporter;
}

function tracesExporter(yaml: string, env: NodeJS.ProcessEnv = {}): OtlpExporterConfig {
  return otlp(load(yaml, env).config.traces?.exporters[0]);
}

describe('otlp exporter defaults', () => {
  it('gRPC: localhost:4317, TLS, no headers, 10s', () => {
    assert.deepEqual(tracesExporter(withTraces('  otlp:', 'otlp')), {
      type: 'otlp',
      name: 'otlp',
      endpoint: 'localhost:4317',
      insecure: false,
      headers: {},
      timeoutMs: 10_000,
    });
  });

  it('HTTP: base http://localhost:4318 and a per-signal URL', () => {
    const { config } = load(bothSignals('  otlphttp:', 'otlphttp'));
    assert.deepEqual(config.traces?.exporters[0], {
      type: 'otlphttp',
      name: 'otlphttp',
      endpoint: 'http://localhost:4318',
      signalEndpoint: 'http://localhost:4318/v1/traces',
      insecure: true,
      headers: {},
      timeoutMs: 10_000,
    });
    assert.equal(otlp(config.metrics?.exporters[0]).signalEndpoint, 'http://localhost:4318/v1/metrics');
  });

  it('HTTP: strips trailing slashes from the base and honours traces_endpoint/metrics_endpoint', () => {
    const yaml = bothSignals('  otlphttp:\n    endpoint: https://tempo:4318/otlp/\n    metrics_endpoint: https://mimir/otlp/v1/metrics', 'otlphttp');
    const { config } = load(yaml);
    const traces = otlp(config.traces?.exporters[0]);
    assert.equal(traces.endpoint, 'https://tempo:4318/otlp');
    assert.equal(traces.signalEndpoint, 'https://tempo:4318/otlp/v1/traces');
    assert.equal(traces.insecure, false);
    assert.equal(otlp(config.metrics?.exporters[0]).signalEndpoint, 'https://mimir/otlp/v1/metrics');
  });
});

describe('OTEL_EXPORTER_OTLP_*_ENDPOINT', () => {
  const generic = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };

  it('sets the endpoint of exporters that do not set one, named ones included', () => {
    const { config } = load(withTraces('  otlp:\n  otlp/jaeger:', 'otlp, otlp/jaeger'), generic);
    for (const exporter of config.traces?.exporters ?? []) {
      assert.equal(otlp(exporter).endpoint, 'http://collector:4317');
      assert.equal(otlp(exporter).insecure, true, 'the http:// scheme means plaintext');
    }
  });

  it('loses to an explicit YAML endpoint', () => {
    const exporter = tracesExporter(withTraces('  otlp:\n    endpoint: jaeger:4317', 'otlp'), {
      ...generic,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4317',
    });
    assert.equal(exporter.endpoint, 'jaeger:4317');
    const http = tracesExporter(withTraces('  otlphttp:\n    endpoint: http://yaml:4318', 'otlphttp'), {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env:4318/custom',
    });
    assert.equal(http.endpoint, 'http://yaml:4318');
    assert.equal(http.signalEndpoint, 'http://yaml:4318/v1/traces');
  });

  it('the signal-specific variable wins over the generic one, per pipeline', () => {
    const { config } = load(bothSignals('  otlp:', 'otlp'), {
      ...generic,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://metrics:4317',
    });
    assert.equal(otlp(config.traces?.exporters[0]).endpoint, 'http://collector:4317');
    const metrics = otlp(config.metrics?.exporters[0]);
    assert.equal(metrics.endpoint, 'https://metrics:4317');
    assert.equal(metrics.insecure, false);
  });

  it('HTTP: the generic variable is a base, the signal variable a full URL used as-is', () => {
    const { config } = load(bothSignals('  otlphttp:', 'otlphttp'), {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/api/spans',
    });
    const traces = otlp(config.traces?.exporters[0]);
    assert.equal(traces.endpoint, 'http://collector:4318');
    assert.equal(traces.signalEndpoint, 'https://traces.example/api/spans');
    assert.equal(traces.insecure, false, 'TLS follows the URL actually posted to');
    assert.equal(otlp(config.metrics?.exporters[0]).signalEndpoint, 'http://collector:4318/v1/metrics');
  });

  it('treats an empty variable as unset', () => {
    assert.equal(tracesExporter(withTraces('  otlp:', 'otlp'), { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }).endpoint, 'localhost:4317');
  });
});

describe('OTEL_EXPORTER_OTLP_HEADERS', () => {
  it('merges env headers under YAML headers, signal-specific over generic, percent-decoded', () => {
    const exporter = tracesExporter(withTraces('  otlp:\n    headers:\n      x-tenant: yaml', 'otlp'), {
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=env, authorization=Bearer%20abc,x-a=1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-a=2',
    });
    assert.deepEqual(exporter.headers, { 'x-tenant': 'yaml', authorization: 'Bearer abc', 'x-a': '2' });
  });

  it('skips malformed entries with a warning', () => {
    const { config, warnings } = load(bothSignals('  otlp:', 'otlp'), { OTEL_EXPORTER_OTLP_HEADERS: 'novalue,=x,k=%zz,ok=1' });
    assert.deepEqual(otlp(config.traces?.exporters[0]).headers, { ok: '1' });
    assert.deepEqual(warnings, [
      'OTEL_EXPORTER_OTLP_HEADERS: ignoring malformed entry "novalue"; expected key=value',
      'OTEL_EXPORTER_OTLP_HEADERS: ignoring malformed entry "=x"; expected key=value',
      'OTEL_EXPORTER_OTLP_HEADERS: ignoring malformed entry "k=%zz"; expected key=value',
    ]);
  });

  it('stringifies numeric YAML header values', () => {
    assert.deepEqual(tracesExporter(withTraces('  otlp:\n    headers: { x-org: 42 }', 'otlp')).headers, { 'x-org': '42' });
  });
});

describe('OTEL_EXPORTER_OTLP_INSECURE', () => {
  const plain = withTraces('  otlp:', 'otlp');

  it('makes a scheme-less gRPC endpoint plaintext; the signal variable wins', () => {
    assert.equal(tracesExporter(plain, { OTEL_EXPORTER_OTLP_INSECURE: 'TRUE' }).insecure, true);
    assert.equal(
      tracesExporter(plain, { OTEL_EXPORTER_OTLP_INSECURE: 'true', OTEL_EXPORTER_OTLP_TRACES_INSECURE: 'false' }).insecure,
      false,
    );
  });

  it('loses to YAML tls.insecure', () => {
    assert.equal(tracesExporter(withTraces('  otlp:\n    tls: { insecure: false }', 'otlp'), { OTEL_EXPORTER_OTLP_INSECURE: 'true' }).insecure, false);
    assert.equal(tracesExporter(withTraces('  otlp:\n    tls: { insecure: true }', 'otlp')).insecure, true);
  });

  it('does not override an https:// scheme; a contradicting tls.insecure is warned about', () => {
    const yaml = withTraces('  otlp:\n    endpoint: https://secure:4317\n    tls: { insecure: true }', 'otlp');
    const { config, warnings } = load(yaml, { OTEL_EXPORTER_OTLP_INSECURE: 'true' });
    assert.equal(otlp(config.traces?.exporters[0]).insecure, false);
    assert.deepEqual(warnings, ['exporters.otlp.tls.insecure: ignored; the https:// scheme of the endpoint decides whether TLS is used']);
  });

  it('warns about and ignores a value that is not a boolean', () => {
    const { config, warnings } = load(plain, { OTEL_EXPORTER_OTLP_INSECURE: 'yes' });
    assert.equal(otlp(config.traces?.exporters[0]).insecure, false);
    assert.deepEqual(warnings, ['OTEL_EXPORTER_OTLP_INSECURE: expected true or false, got "yes"; ignored']);
  });
});
