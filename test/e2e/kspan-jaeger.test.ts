/**
 * End to end: the real agent (real BPF) exports over OTLP/gRPC to a real
 * Jaeger v2; the span tree is read back through Jaeger's HTTP API.
 * curl → frontend (node) → backend (node), no instrumentation anywhere.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bpfSkipReason } from '../integration/harness/bpfAvailable';
import { KspanProcess } from '../integration/harness/KspanProcess';
import { run, ServerProcess } from '../integration/harness/Programs';
import { JaegerProcess, JaegerSpan, JaegerTrace, serviceOf, tagsToObject } from './JaegerProcess';
import { JAEGER_CONFIG, jaegerBinary, jaegerSkipReason } from './jaegerBinary';

const skip = bpfSkipReason() || jaegerSkipReason();

describe('kspan → OTLP/gRPC → Jaeger v2', { skip }, () => {
  let jaeger: JaegerProcess | undefined;
  let kspan: KspanProcess | undefined;
  let frontend: ServerProcess | undefined;
  let backend: ServerProcess | undefined;

  before(async () => {
    jaeger = await JaegerProcess.start({ binary: await jaegerBinary(), configPath: JAEGER_CONFIG });
    kspan = await KspanProcess.start({
      extraExportersYaml: '  otlp: { endpoint: "127.0.0.1:24317", tls: { insecure: true } }',
      extraTraceExporters: ['otlp'],
    });
    frontend = await ServerProcess.node({ OTEL_SERVICE_NAME: 'e2e-frontend' });
    backend = await ServerProcess.node({ OTEL_SERVICE_NAME: 'e2e-backend' });
  });

  after(async () => {
    await frontend?.stop();
    await backend?.stop();
    await kspan?.stop();
    kspan?.cleanup();
    await jaeger?.stop();
  });

  test('the four-span tree arrives in Jaeger with kinds, services, parents and status codes', async () => {
    const url = `http://127.0.0.1:${frontend!.port}/call?port=${backend!.port}&path=/hello`;
    const r = await run('curl', ['-s', url]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /downstream 200 hello/);

    const hasTree = (t: JaegerTrace) => t.spans.length >= 4;
    const traces = await jaeger!.waitForTraces('e2e-backend', (ts) => ts.some(hasTree), 20_000);
    const trace = traces.find(hasTree)!;
    const spanOf = (service: string, kind: string): JaegerSpan => {
      const s = trace.spans.find((x) => serviceOf(trace, x) === service && tagsToObject(x.tags)['span.kind'] === kind);
      assert.ok(s, `${kind} span of ${service} in ${JSON.stringify(trace.spans.map((x) => [serviceOf(trace, x), x.operationName]))}`);
      return s!;
    };
    const curlClient = spanOf('curl', 'client');
    const frontServer = spanOf('e2e-frontend', 'server');
    const frontClient = spanOf('e2e-frontend', 'client');
    const backServer = spanOf('e2e-backend', 'server');
    const parentOf = (s: JaegerSpan) => s.references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;

    assert.equal(parentOf(curlClient), undefined, 'curl is the root');
    assert.equal(parentOf(frontServer), curlClient.spanID);
    assert.equal(parentOf(frontClient), frontServer.spanID);
    assert.equal(parentOf(backServer), frontClient.spanID);
    assert.equal(frontServer.operationName, 'GET /call');
    assert.equal(backServer.operationName, 'GET /hello');
    assert.equal(tagsToObject(backServer.tags)['http.response.status_code'], 200);
    assert.equal(tagsToObject(frontClient.tags)['server.port'], backend!.port);
    // Nesting in time, as Jaeger shows it (µs).
    assert.ok(frontServer.startTime >= curlClient.startTime);
    assert.ok(backServer.startTime >= frontClient.startTime);
    assert.ok(backServer.startTime + backServer.duration <= frontClient.startTime + frontClient.duration + 1);
    const proc = tagsToObject(trace.processes[backServer.processID].tags);
    assert.equal(proc['process.pid'], backend!.pid);
    assert.equal(proc['telemetry.distro.name'], 'kspan');
  });
});
