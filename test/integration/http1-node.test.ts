import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bpfSkipReason } from './harness/bpfAvailable';
import { durationMs, ExportedSpan, onPort } from './harness/ExportedSpans';
import { KspanProcess } from './harness/KspanProcess';
import { nodeClient, run, ServerProcess } from './harness/Programs';

const skip = bpfSkipReason();

function byKind(spans: ExportedSpan[], kind: 'SERVER' | 'CLIENT', service?: string): ExportedSpan[] {
  return spans.filter((s) => s.kind === kind && (service === undefined || s.resource['service.name'] === service));
}

describe('HTTP/1.x spans from a node server (real BPF)', { skip }, () => {
  let kspan: KspanProcess;
  let server: ServerProcess;

  before(async () => {
    kspan = await KspanProcess.start();
    server = await ServerProcess.node();
  });
  after(async () => {
    await server?.stop();
    await kspan?.stop();
    kspan?.cleanup();
  });

  test('curl keep-alive: one SERVER and one CLIENT span per request, stitched', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const r = await run('curl', ['-s', '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null', `${base}/hello`, `${base}/status/404`, `${base}/hello?user=alice&token=s3cret`]);
    assert.equal(r.code, 0, r.stderr);
    const spans = await kspan.waitForSpans((s) => byKind(onPort(s, server.port), 'SERVER', 'node').length >= 3 && byKind(onPort(s, server.port), 'CLIENT', 'curl').length >= 3);
    const servers = byKind(onPort(spans, server.port), 'SERVER', 'node');
    const clients = byKind(onPort(spans, server.port), 'CLIENT', 'curl');
    assert.equal(servers.length, 3);
    assert.equal(clients.length, 3);
    // One connection: the three client spans share a local port.
    assert.equal(new Set(servers.map((s) => s.attributes['client.port'])).size, 1);
    for (const s of servers) {
      const parent = clients.find((c) => c.spanId === s.parentSpanId);
      assert.ok(parent, `SERVER ${s.name} is stitched to curl's CLIENT span`);
      assert.equal(parent.traceId, s.traceId);
      assert.equal(s.attributes['http.request.method'], 'GET');
      assert.equal(s.attributes['network.protocol.version'], '1.1');
      assert.equal(s.attributes['client.address'], '127.0.0.1');
      assert.equal(s.attributes['url.scheme'], 'http');
      assert.equal(s.resource['process.pid'], server.pid);
      assert.equal(s.resource['process.executable.name'], 'node');
      assert.ok(s.startNs >= parent.startNs, 'server starts after the client wrote');
      assert.ok(s.endNs <= parent.endNs, 'server ends before the client read the response');
    }
    const notFound = servers.find((s) => s.attributes['url.path'] === '/status/404')!;
    assert.equal(notFound.attributes['http.response.status_code'], 404);
    assert.equal(notFound.statusCode, 0, '404 is not a server error');
    const notFoundClient = clients.find((c) => c.spanId === notFound.parentSpanId)!;
    assert.equal(notFoundClient.statusCode, 2, '404 is a client error');
    const withQuery = servers.find((s) => s.attributes['url.path'] === '/hello' && s.attributes['url.query'] !== undefined)!;
    assert.equal(withQuery.attributes['url.query'], 'user=REDACTED&token=REDACTED', 'query values redacted by default');
    assert.match(String(clients[0].attributes['url.full']), new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/`));
  });

  test('node client: span durations sit within the client\'s own measured bounds', async () => {
    const paths = ['/hello', '/slow?ms=30', '/chunked', '/hello'];
    const { results } = await nodeClient(server.port, paths.map((path) => ({ path })));
    const spans = await kspan.waitForSpans((s) => byKind(onPort(s, server.port), 'CLIENT', 'node').length >= 4
      && byKind(onPort(s, server.port), 'SERVER', 'node').filter((x) => x.parentSpanId !== undefined && byKind(onPort(s, server.port), 'CLIENT', 'node').some((c) => c.spanId === x.parentSpanId)).length >= 4);
    const clients = byKind(onPort(spans, server.port), 'CLIENT', 'node').sort((a, b) => Number(a.startNs - b.startNs));
    assert.equal(clients.length, 4);
    const slack = 2_000_000n; // 2 ms: two clocks (kernel monotonic→wall, node performance) anchored separately
    clients.forEach((c, i) => {
      const m = results[i];
      assert.equal(c.attributes['http.response.status_code'], m.status);
      assert.ok(c.startNs >= m.startNs - slack, `client span ${i} starts after the client began (${c.startNs - m.startNs} ns)`);
      assert.ok(c.endNs <= m.endNs + slack, `client span ${i} ends before the client saw the end (${c.endNs - m.endNs} ns)`);
      const s = spans.find((x) => x.kind === 'SERVER' && x.parentSpanId === c.spanId)!;
      assert.ok(s, `server span for client request ${i}`);
      assert.ok(durationMs(s) <= durationMs(c) + 0.5, `server span fits in the client span: server ${durationMs(s)} ms [${s.startNs - c.startNs}, ${s.endNs - c.endNs}] client ${durationMs(c)} ms ${c.name}`);
    });
    const slow = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/slow')!;
    assert.ok(durationMs(slow) >= 29, `the 30 ms handler is inside the server span (${durationMs(slow)} ms)`);
    const chunked = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/chunked')!;
    assert.ok(durationMs(chunked) >= 4, 'a chunked response ends at its last chunk, not its first');
  });

  test('status codes, methods and framing: 204, 304, 500, HEAD, POST body, HTTP/1.0, Connection: close, 100-continue', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const body = 'x'.repeat(3000);
    const cmds: string[][] = [
      ['-s', '-o', '/dev/null', `${base}/status/204`],
      ['-s', '-o', '/dev/null', `${base}/status/304`],
      ['-s', '-o', '/dev/null', `${base}/status/500`],
      ['-s', '-o', '/dev/null', '-I', `${base}/hello`],
      ['-s', '-o', '/dev/null', '-X', 'POST', '--data-binary', body, `${base}/echo`],
      ['-s', '-o', '/dev/null', '--http1.0', `${base}/hello`],
      ['-s', '-o', '/dev/null', `${base}/close`],
      ['-s', '-o', '/dev/null', '-H', 'Expect: 100-continue', '--data-binary', body, `${base}/echo`],
    ];
    for (const c of cmds) assert.equal((await run('curl', c)).code, 0);
    const spans = await kspan.waitForSpans((s) => byKind(onPort(s, server.port), 'CLIENT', 'curl').filter((c) => c.parentSpanId === undefined).length >= 8 + 3
      && byKind(onPort(s, server.port), 'SERVER', 'node').length >= 8 + 3);
    const servers = byKind(onPort(spans, server.port), 'SERVER', 'node');
    const find = (pred: (s: ExportedSpan) => boolean, what: string) => {
      const s = servers.find(pred);
      assert.ok(s, `span for ${what}`);
      return s!;
    };
    assert.equal(find((s) => s.attributes['url.path'] === '/status/204', '204').attributes['http.response.status_code'], 204);
    assert.equal(find((s) => s.attributes['url.path'] === '/status/304', '304').attributes['http.response.status_code'], 304);
    const e500 = find((s) => s.attributes['url.path'] === '/status/500', '500');
    assert.equal(e500.statusCode, 2);
    assert.equal(e500.attributes['error.type'], '500');
    find((s) => s.attributes['http.request.method'] === 'HEAD', 'HEAD');
    const posts = servers.filter((s) => s.attributes['http.request.method'] === 'POST');
    assert.equal(posts.length, 2, 'both POSTs, with and without 100-continue');
    for (const p of posts) {
      assert.equal(p.attributes['http.request.body.size'], 3000);
      assert.equal(p.attributes['http.response.status_code'], 200);
    }
    assert.equal(find((s) => s.attributes['network.protocol.version'] === '1.0', 'HTTP/1.0').attributes['http.response.status_code'], 200);
    assert.equal(find((s) => s.attributes['url.path'] === '/close', 'Connection: close').attributes['http.response.status_code'], 200);
    // Every curl request got exactly one server span.
    const curlClients = byKind(onPort(spans, server.port), 'CLIENT', 'curl');
    for (const c of curlClients) assert.equal(servers.filter((s) => s.parentSpanId === c.spanId).length, 1, `one server span for ${c.name}`);
  });
});
