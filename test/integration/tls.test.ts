/**
 * HTTPS through the tls family (OpenSSL uprobes): the same spans as plaintext,
 * marked as TLS, and nothing parsed from ciphertext. Real programs: curl,
 * nginx (system libssl), node (static OpenSSL), python (ssl module).
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { bpfSkipReason } from './harness/bpfAvailable';
import { ExportedSpan, onPort } from './harness/ExportedSpans';
import { KspanProcess, sleep } from './harness/KspanProcess';
import { NginxServer } from './harness/Nginx';
import { nodeClient, PROGRAMS, run, ServerProcess } from './harness/Programs';
import { TlsCertificate } from './harness/TlsCertificate';

const skip = bpfSkipReason();
const PYTHON_TLS = path.resolve(__dirname, '..', '..', '..', 'test', 'integration', 'programs', 'pythonTls.py');

function spansOf(spans: ExportedSpan[], port: number, kind: 'SERVER' | 'CLIENT', service: string): ExportedSpan[] {
  return onPort(spans, port).filter((s) => s.kind === kind && s.resource['service.name'] === service);
}

/** Every SERVER span has a CLIENT parent of the given service in the same trace, and is HTTPS. */
function assertStitchedHttps(spans: ExportedSpan[], servers: ExportedSpan[], clientService: string): void {
  for (const s of servers) {
    const parent = spans.find((c) => c.spanId === s.parentSpanId);
    assert.ok(parent, `SERVER ${s.name} has its CLIENT parent`);
    assert.equal(parent.resource['service.name'], clientService);
    assert.equal(parent.traceId, s.traceId);
    assert.equal(s.attributes['url.scheme'], 'https');
    assert.equal(s.attributes['tls.protocol.name'], 'tls');
    assert.match(String(parent.attributes['url.full']), /^https:\/\//);
  }
}

describe('HTTPS spans from OpenSSL uprobes (real BPF)', { skip }, () => {
  let cert: TlsCertificate;
  let kspan: KspanProcess;

  before(async () => {
    cert = TlsCertificate.create();
    kspan = await KspanProcess.start();
  });
  after(async () => {
    await kspan?.stop();
    kspan?.cleanup();
    cert?.remove();
  });

  test('curl → nginx with TLS: one SERVER and one CLIENT span per request, keep-alive', async () => {
    const nginx = await NginxServer.start({ 'index.html': 'tls hello\n', 'big.bin': Buffer.alloc(50_000, 7) }, cert);
    try {
      const base = `https://127.0.0.1:${nginx.port}`;
      const urls = [`${base}/index.html`, `${base}/big.bin`, `${base}/missing`, `${base}/index.html`, `${base}/index.html`];
      const r = await run('curl', ['-sk', ...urls.flatMap((u) => ['-o', '/dev/null', u])]);
      assert.equal(r.code, 0, r.stderr);
      const spans = await kspan.waitForSpans((s) => spansOf(s, nginx.port, 'SERVER', 'nginx').length >= 5 && spansOf(s, nginx.port, 'CLIENT', 'curl').length >= 5);
      const servers = spansOf(spans, nginx.port, 'SERVER', 'nginx');
      assert.equal(servers.length, 5, 'exactly one SERVER span per request: ciphertext never parsed');
      assert.equal(spansOf(spans, nginx.port, 'CLIENT', 'curl').length, 5);
      assertStitchedHttps(spans, servers, 'curl');
      assert.deepEqual(servers.map((s) => s.attributes['http.response.status_code']).sort(), [200, 200, 200, 200, 404]);
      const big = servers.find((s) => s.attributes['url.path'] === '/big.bin')!;
      assert.equal(big.attributes['http.response.body.size'], 50_000);
      assert.equal(new Set(servers.map((s) => s.attributes['client.port'])).size, 1, 'one keep-alive connection');
    } finally {
      await nginx.stop();
    }
  });

  test('curl → node https server (statically linked OpenSSL)', async () => {
    const server = await ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'httpServer.js'), '0', '--tls', cert.cert, cert.key]);
    try {
      const base = `https://127.0.0.1:${server.port}`;
      assert.equal((await run('curl', ['-sk', '-o', '/dev/null', '-o', '/dev/null', `${base}/hello`, `${base}/status/500`])).code, 0);
      const spans = await kspan.waitForSpans((s) => spansOf(s, server.port, 'SERVER', 'node').length >= 2 && spansOf(s, server.port, 'CLIENT', 'curl').length >= 2);
      const servers = spansOf(spans, server.port, 'SERVER', 'node');
      assert.equal(servers.length, 2);
      assertStitchedHttps(spans, servers, 'curl');
      assert.equal(servers.find((s) => s.attributes['url.path'] === '/status/500')!.statusCode, 2);
      for (const s of servers) {
        const parent = spans.find((c) => c.spanId === s.parentSpanId)!;
        assert.ok(s.startNs >= parent.startNs && s.endNs <= parent.endNs, 'server span nests in the client span');
      }
    } finally {
      await server.stop();
    }
  });

  test('node https client → python ssl server', async () => {
    const server = await ServerProcess.start('python3', [PYTHON_TLS, 'server', cert.cert, cert.key], { OTEL_SERVICE_NAME: 'py-tls' });
    try {
      const { results } = await nodeClientHttps(server.port, ['/one', '/two', '/three']);
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
      const spans = await kspan.waitForSpans((s) => spansOf(s, server.port, 'SERVER', 'py-tls').length >= 3 && spansOf(s, server.port, 'CLIENT', 'node').length >= 3);
      const servers = spansOf(spans, server.port, 'SERVER', 'py-tls');
      assert.equal(servers.length, 3);
      assertStitchedHttps(spans, servers, 'node');
      assert.deepEqual(servers.map((s) => s.attributes['url.path']).sort(), ['/one', '/three', '/two']);
      const clients = spansOf(spans, server.port, 'CLIENT', 'node').sort((a, b) => Number(a.startNs - b.startNs));
      clients.forEach((c, i) => {
        assert.ok(c.startNs >= results[i].startNs - 2_000_000n && c.endNs <= results[i].endNs + 2_000_000n, 'within the client\'s own bounds');
      });
    } finally {
      await server.stop();
    }
  });

  test('python urllib client → node https server', async () => {
    const server = await ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'httpServer.js'), '0', '--tls', cert.cert, cert.key], { OTEL_SERVICE_NAME: 'node-tls' });
    try {
      const base = `https://127.0.0.1:${server.port}`;
      const r = await run('python3', [PYTHON_TLS, 'client', `${base}/hello`, `${base}/status/404`], { OTEL_SERVICE_NAME: 'py-client' });
      assert.equal(r.code, 1, 'urllib raises on the 404'); // HTTPError after the first 200
      const spans = await kspan.waitForSpans((s) => spansOf(s, server.port, 'SERVER', 'node-tls').length >= 2 && spansOf(s, server.port, 'CLIENT', 'py-client').length >= 2);
      const servers = spansOf(spans, server.port, 'SERVER', 'node-tls');
      assert.equal(servers.length, 2);
      assertStitchedHttps(spans, servers, 'py-client');
    } finally {
      await server.stop();
    }
  });

  test('an executable that looks like OpenSSL but lacks it is skipped with a reason; tracing goes on', async () => {
    const exe = path.join(cert.dir, 'not-openssl');
    const src = path.resolve(__dirname, '..', '..', '..', 'test', 'integration', 'programs', 'notOpenssl.c');
    assert.equal((await run('cc', ['-O0', '-o', exe, src])).code, 0);
    const decoy = await ServerProcess.start(exe, [], {}, /started (\d+)/);
    try {
      const deadline = Date.now() + 10_000;
      while (!kspan.stderr.includes(`tls: skipping ${exe}`) && Date.now() < deadline) await sleep(100);
      assert.match(kspan.stderr, new RegExp(`tls: skipping ${exe.replace(/[/.]/g, '\\$&')} \\(pid \\d+\\): OpenSSL functions missing`));
      assert.equal(kspan.exitCode, null, 'kspan keeps running');
    } finally {
      await decoy.stop();
    }
    const server = await ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'httpServer.js'), '0', '--tls', cert.cert, cert.key]);
    try {
      assert.equal((await run('curl', ['-sk', '-o', '/dev/null', `https://127.0.0.1:${server.port}/hello`])).code, 0);
      await kspan.waitForSpans((s) => spansOf(s, server.port, 'SERVER', 'node').length >= 1);
    } finally {
      await server.stop();
    }
  });

  test('a TLS connection opened before kspan started gets spans for the requests after', async () => {
    await kspan.stop();
    const server = await ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'httpServer.js'), '0', '--tls', cert.cert, cert.key]);
    const client = await ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'lateClient.js'), String(server.port), '/hello', '2'], { KSPAN_TEST_HTTPS: '1' }, /first done (\d+)/);
    let late: KspanProcess | undefined;
    try {
      late = await KspanProcess.start();
      const done = new Promise<string>((resolve) => client.child.stdout!.on('data', (d: Buffer) => { if (/done (\S+)/.test(d.toString())) resolve(d.toString()); }));
      client.child.kill('SIGUSR2');
      assert.match(await done, /same-connection/);
      const spans = await late.waitForSpans((s) => spansOf(s, server.port, 'SERVER', 'node').length >= 2 && spansOf(s, server.port, 'CLIENT', 'node').length >= 2);
      await sleep(500);
      const servers = spansOf(late.spans(), server.port, 'SERVER', 'node');
      assert.equal(servers.length, 2, 'the two requests after start, and not the one before');
      for (const s of servers) assert.equal(s.attributes['url.scheme'], 'https');
      assertStitchedHttps(spans, servers, 'node');
    } finally {
      await client.stop();
      await server.stop();
      await late?.stop();
      late?.cleanup();
    }
  });
});

async function nodeClientHttps(port: number, paths: string[]) {
  process.env.KSPAN_TEST_HTTPS = '1';
  try {
    return await nodeClient(port, paths.map((p) => ({ path: p })));
  } finally {
    delete process.env.KSPAN_TEST_HTTPS;
  }
}
