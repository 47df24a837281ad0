import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bpfSkipReason } from './harness/bpfAvailable';
import { ExportedSpan } from './harness/ExportedSpans';
import { KspanProcess, sleep } from './harness/KspanProcess';
import { freePort } from './harness/net';
import { PROGRAMS, run, ServerProcess } from './harness/Programs';
import { pythonHttpServer } from './harness/python';
import { RawClient } from './harness/RawClient';
import { startAll } from './harness/startAll';
import { childrenOf, describeSpans, requestSpans, spansOf, spansWithin } from './harness/spanQueries';

const skip = bpfSkipReason();
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

const get = (p: string) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const curl = (...urls: string[]) => run('curl', ['-s', ...urls.flatMap((u) => ['-o', '/dev/null', u])]);

/** Spans from one process (by the resource's process.pid). */
const fromPid = (spans: ExportedSpan[], pid: number) => spans.filter((s) => s.resource['process.pid'] === pid);

describe('HTTP/1.x robustness: late start, pipelining, garbage, traceparent, outgoing calls, OTLP down (real BPF)', { skip }, () => {
  let kspan: KspanProcess;
  let a: ServerProcess;
  let b: ServerProcess;
  let echo: ServerProcess;
  const clients: RawClient[] = [];
  const raw = () => {
    const c = RawClient.start();
    clients.push(c);
    return c;
  };

  // Late start: connections that carried traffic before kspan started.
  let early: RawClient;
  let earlyPort: number;
  let midBody: RawClient;
  let midBodyPort: number;
  // A second agent whose traces pipeline also has an OTLP exporter pointing at a closed port.
  let kspanOtlp: KspanProcess;

  before(async () => {
    [a, b, echo] = await startAll([ServerProcess.node(), ServerProcess.node(),
      ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'echoServer.js'), '0'])]);
    early = raw();
    earlyPort = await early.connect(a.port);
    assert.equal((await early.send(get('/status/201'), 1)).responses[0]?.status, 201);
    midBody = raw();
    midBodyPort = await midBody.connect(a.port);
    await midBody.sendRaw('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n12345', 50);
    const closed = await freePort(); // nothing listens there
    // Only our ports: other work on the host (benchmarks, other suites) must not crowd our spans out.
    [kspan, kspanOtlp] = await startAll([KspanProcess.start({ kernelYaml: `    discovery: { ports: [${a.port}, ${b.port}, ${echo.port}] }` }), KspanProcess.start({
      kernelYaml: `    discovery: { ports: [${b.port}] }`,
      extraExportersYaml: `  otlp: { endpoint: 127.0.0.1:${closed}, tls: { insecure: true } }`,
      extraTraceExporters: ['otlp'],
    })]);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await Promise.all([a?.stop(), b?.stop(), echo?.stop()]);
    await Promise.all([kspan, kspanOtlp].map(async (k) => { await k?.stop(); k?.cleanup(); }));
  });

  test('late start: requests before kspan started are not fabricated; later ones on the same connection are', async () => {
    assert.equal((await early.send(get('/status/202'), 1)).responses[0]?.status, 202);
    assert.equal((await early.send(get('/status/203'), 1)).responses[0]?.status, 203);
    // The rest of a body whose head was sent before kspan started, then a whole request.
    assert.equal((await midBody.send('67890', 1)).responses[0]?.body, 'got 10');
    assert.equal((await midBody.send(get('/status/204'), 1)).responses[0]?.status, 204);
    const spans = await kspan.waitForSpans((s) => ['/status/203', '/status/204'].every((p) => spansOf(s, 'SERVER', a.port).some((x) => x.attributes['url.path'] === p)));
    await sleep(300);
    const all = kspan.spans();
    const servers = spansOf(all, 'SERVER', a.port).filter((x) => x.attributes['client.port'] === earlyPort);
    assert.deepEqual(servers.map((s) => s.attributes['url.path']), ['/status/202', '/status/203'], describeSpans(servers));
    assert.deepEqual(servers.map((s) => s.attributes['http.response.status_code']), [202, 203]);
    const cl = spansOf(fromPid(spans, early.pid), 'CLIENT', a.port);
    assert.equal(cl.length, 2, describeSpans(cl));
    for (const c of cl) assert.equal(childrenOf(servers, c).length, 1, `stitched mid-connection: ${c.name}`);
    const mid = spansOf(all, 'SERVER', a.port).filter((x) => x.attributes['client.port'] === midBodyPort);
    assert.deepEqual(mid.map((s) => s.attributes['url.path']), ['/status/204'], `no span for the POST begun before kspan:\n${describeSpans(mid)}`);
    assert.deepEqual(spansOf(fromPid(all, midBody.pid), 'CLIENT', a.port).map((s) => s.name), ['GET /status/{id}']);
  });

  test('pipelining: three requests in one write → three SERVER spans in order, each under its own CLIENT span', async () => {
    const c = raw();
    const localPort = await c.connect(a.port);
    const paths = ['/hello', '/status/404', '/status/201'];
    const r = await c.send(paths.map(get).join(''), 3);
    assert.deepEqual(r.responses.map((x) => x.status), [200, 404, 201]);
    const spans = await kspan.waitForSpans((s) => spansOf(s, 'SERVER', a.port).filter((x) => x.attributes['client.port'] === localPort).length >= 3
      && spansOf(fromPid(s, c.pid), 'CLIENT', a.port).length >= 3);
    const servers = spansOf(spans, 'SERVER', a.port).filter((x) => x.attributes['client.port'] === localPort)
      .sort((x, y) => (x.startNs === y.startNs ? Number(x.endNs - y.endNs) : Number(x.startNs - y.startNs)));
    assert.deepEqual(servers.map((s) => s.attributes['url.path']), paths, describeSpans(servers));
    assert.deepEqual(servers.map((s) => s.attributes['http.response.status_code']), [200, 404, 201]);
    for (let i = 1; i < 3; i++) assert.ok(servers[i].endNs >= servers[i - 1].endNs, 'answered in request order');
    const cl = spansOf(fromPid(spans, c.pid), 'CLIENT', a.port);
    assert.equal(cl.length, 3, describeSpans(cl));
    for (const client of cl) {
      const kids = childrenOf(servers, client);
      assert.equal(kids.length, 1, `one SERVER child for ${client.name}:\n${describeSpans(spans.filter((s) => s.resource['process.pid'] === c.pid || s.attributes['client.port'] === localPort))}`);
      assert.equal(String(client.attributes['url.full']).replace(/^http:\/\/[^/]+/, ''), kids[0].attributes['url.path'], 'same path at both ends');
    }
  });

  test('keep-alive after a chunked response whose end is in a 9-iovec writev: every SERVER span ends, connection still open', async () => {
    // node's res.write() then res.end(data) writes "4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n" as nine iovecs.
    const c = raw();
    const localPort = await c.connect(a.port);
    const chunked = await c.send(get('/chunked'), 1);
    assert.equal(chunked.responses[0]?.body, 'one,two,three');
    const hello = await c.send(get('/hello'), 1);
    assert.equal(hello.responses[0]?.body, 'hello');
    const mine = (s: ExportedSpan[]) => spansOf(s, 'SERVER', a.port).filter((x) => x.attributes['client.port'] === localPort);
    const spans = await spansWithin(() => kspan.spans(), (s) => mine(s).length >= 2, 5000);
    assert.ok(spans, `SERVER spans within 5 s while the connection stayed open: ${JSON.stringify(mine(kspan.spans()).map((x) => x.name))}, want GET /chunked and GET /hello`);
    const [first, second] = mine(spans);
    assert.equal(first.attributes['url.path'], '/chunked');
    assert.equal(first.attributes['http.response.status_code'], 200);
    assert.ok(first.endNs <= chunked.endNs + 2_000_000n, 'the SERVER span ends before the client had read the whole response');
    assert.equal(second.attributes['url.path'], '/hello');
    assert.equal(second.attributes['http.response.status_code'], 200, describeSpans([second]));
    await c.close();
  });

  test('garbage and non-HTTP protocols: no span, kspan keeps running and tracing', async () => {
    const garbage: Array<string | Buffer> = [
      randomBytes(512),
      'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n',
      '*1\r\n$4\r\nPING\r\n',
      'DELETE_EVERYTHING now\r\n\r\n',
      Buffer.from(`160301020001000${hex(300)}`.slice(0, 600), 'hex'), // looks like a TLS ClientHello
      'GETX / HTTP/1.1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', // a response sent as a request
    ];
    const rawPorts: number[] = [];
    const c = raw();
    for (const port of [a.port, echo.port]) {
      for (const g of garbage) {
        rawPorts.push(await c.connect(port));
        await c.sendRaw(g, 150);
        await c.close();
      }
    }
    // Garbage after a valid request on a keep-alive connection.
    const mixedPort = await c.connect(a.port);
    assert.equal((await c.send(get('/hello'), 1)).responses[0]?.status, 200);
    await c.sendRaw(randomBytes(256), 200);
    await c.close();
    // Then ordinary traffic must still be traced.
    assert.equal((await curl(`http://127.0.0.1:${a.port}/hello`, `http://127.0.0.1:${a.port}/status/201`)).code, 0);
    const spans = await kspan.waitForSpans((s) => spansOf(s, 'SERVER', a.port, 'node').some((x) => x.attributes['url.path'] === '/status/201')
      && spansOf(s, 'CLIENT', a.port, 'curl').length >= 2);
    await sleep(300); // anything garbage could have produced was exported before the curl spans
    const all = requestSpans(kspan.spans());
    assert.ok(kspan.running, `kspan still runs:\n${kspan.stderr.slice(-2000)}`);
    const bad = all.filter((s) => !METHODS.has(String(s.attributes['http.request.method'])));
    assert.equal(bad.length, 0, `spans with a garbage method:\n${describeSpans(bad)}`);
    const fromGarbage = all.filter((s) => rawPorts.includes(Number(s.attributes['client.port'])));
    assert.equal(fromGarbage.length, 0, `SERVER spans from garbage connections:\n${describeSpans(fromGarbage)}`);
    assert.equal(spansOf(all, 'SERVER', echo.port).length + spansOf(all, 'CLIENT', echo.port).length, 0, 'nothing from the echo server');
    const mixed = all.filter((s) => s.attributes['client.port'] === mixedPort);
    assert.deepEqual(mixed.map((s) => s.attributes['url.path']), ['/hello'], `only the valid request:\n${describeSpans(mixed)}`);
    const rawClientSpans = spansOf(fromPid(all, c.pid), 'CLIENT', a.port);
    assert.equal(rawClientSpans.length, 1, `the raw client made one HTTP request:\n${describeSpans(rawClientSpans)}`);
    const curlServers = spansOf(spans, 'SERVER', a.port, 'node').filter((s) => spansOf(spans, 'CLIENT', a.port, 'curl').some((x) => x.spanId === s.parentSpanId));
    assert.deepEqual(curlServers.map((s) => s.attributes['url.path']).sort(), ['/hello', '/status/201']);
  });

  test('instrumented app: an outgoing request carrying traceparent joins that trace; B is its child', async () => {
    const traceId = hex(16);
    const parentId = hex(8);
    const tp = `00-${traceId}-${parentId}-01`;
    const r = await run('curl', ['-s', `http://127.0.0.1:${a.port}/call?port=${b.port}&path=/status/202&tp=${tp}`]);
    assert.equal(r.stdout, 'downstream 202 status 202');
    const spans = await kspan.waitForSpans((s) => spansOf(s, 'SERVER', b.port).some((x) => x.attributes['url.path'] === '/status/202')
      && spansOf(fromPid(s, a.pid), 'CLIENT', b.port).some((x) => x.traceId === traceId));
    const outgoing = spansOf(fromPid(spans, a.pid), 'CLIENT', b.port).filter((x) => x.traceId === traceId);
    assert.equal(outgoing.length, 1, describeSpans(outgoing));
    assert.equal(outgoing[0].parentSpanId, parentId, 'CLIENT span parented on the traceparent it sent');
    const bServer = spansOf(spans, 'SERVER', b.port).filter((x) => x.attributes['url.path'] === '/status/202');
    assert.equal(bServer.length, 1);
    assert.equal(bServer[0].traceId, traceId);
    assert.equal(bServer[0].parentSpanId, outgoing[0].spanId, 'B\'s SERVER span is the child of A\'s CLIENT span');
  });

  test('uninstrumented app: curl CLIENT → A SERVER → A CLIENT → B SERVER in one trace', async () => {
    const r = await run('curl', ['-s', `http://127.0.0.1:${a.port}/call?port=${b.port}&path=/status/203`]);
    assert.equal(r.stdout, 'downstream 203 status 203');
    const spans = await kspan.waitForSpans((s) => spansOf(s, 'SERVER', b.port).some((x) => x.attributes['url.path'] === '/status/203')
      && spansOf(s, 'SERVER', a.port).some((x) => x.attributes['url.path'] === '/call' && x.parentSpanId !== undefined && spansOf(s, 'CLIENT', a.port, 'curl').some((c) => c.spanId === x.parentSpanId)));
    const bServer = spansOf(spans, 'SERVER', b.port).find((x) => x.attributes['url.path'] === '/status/203')!;
    const aClient = spans.find((x) => x.spanId === bServer.parentSpanId);
    assert.ok(aClient, `B's parent was exported:\n${describeSpans(spans.filter((x) => x.traceId === bServer.traceId))}`);
    assert.equal(aClient.kind, 'CLIENT');
    assert.equal(aClient.resource['process.pid'], a.pid);
    const aServer = spans.find((x) => x.spanId === aClient.parentSpanId);
    assert.ok(aServer, 'A\'s CLIENT span has a parent');
    assert.equal(aServer.kind, 'SERVER');
    assert.equal(aServer.attributes['url.path'], '/call');
    const curlClient = spans.find((x) => x.spanId === aServer.parentSpanId);
    assert.ok(curlClient, 'A\'s SERVER span has a parent');
    assert.equal(curlClient.resource['service.name'], 'curl');
    assert.equal(curlClient.parentSpanId, undefined, 'curl\'s span is the root');
    for (const s of [aServer, aClient, bServer]) assert.equal(s.traceId, curlClient.traceId);
    assert.ok(aClient.startNs >= aServer.startNs && aClient.endNs <= aServer.endNs, 'the outgoing call happens while serving');
  });

  test('a client killed mid-request leaves no SERVER span pointing at a CLIENT span that is never exported', async () => {
    const c = raw();
    const localPort = await c.connect(a.port);
    await c.sendRaw(get('/slow?ms=300'), 50);
    c.kill(); // exits without close(2): the kernel closes the socket
    const spans = await kspan.waitForSpans((s) => spansOf(s, 'SERVER', a.port).some((x) => x.attributes['client.port'] === localPort));
    await sleep(1000); // time for a CLIENT span, if kspan makes one
    const server = spansOf(kspan.spans(), 'SERVER', a.port).find((x) => x.attributes['client.port'] === localPort)!;
    assert.equal(server.attributes['url.path'], '/slow');
    if (server.parentSpanId !== undefined) {
      const parent = kspan.spans().find((x) => x.spanId === server.parentSpanId);
      assert.ok(parent, `SERVER span's parent ${server.parentSpanId} was never exported (dangling parent):\n${describeSpans([server, ...fromPid(spans, c.pid)])}`);
    }
  });
  test('unreachable OTLP backend: spans still reach the file, kspan keeps running, the failure is logged', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await curl(`http://127.0.0.1:${b.port}/status/21${i}`)).code, 0);
    const spans = await kspanOtlp.waitForSpans((s) => spansOf(s, 'SERVER', b.port).filter((x) => /^\/status\/21[012]$/.test(String(x.attributes['url.path']))).length >= 3);
    assert.equal(spansOf(spans, 'CLIENT', b.port, 'curl').filter((x) => /status\/21[012]$/.test(String(x.attributes['url.full']))).length, 3);
    const deadline = Date.now() + 20_000;
    while (!/exporter otlp: export failed/.test(kspanOtlp.stderr) && Date.now() < deadline) await sleep(200);
    assert.match(kspanOtlp.stderr, /exporter otlp: export failed/, 'the OTLP failure is logged');
    assert.ok(kspanOtlp.running, 'kspan still runs');
    assert.equal((await curl(`http://127.0.0.1:${b.port}/status/299`)).code, 0);
    await kspanOtlp.waitForSpans((s) => spansOf(s, 'SERVER', b.port).some((x) => x.attributes['url.path'] === '/status/299'));
    const t0 = Date.now();
    const code = await kspanOtlp.stop(); // the harness SIGKILLs after 15 s
    assert.equal(code, 0, `SIGTERM: exit ${code} after ${Date.now() - t0} ms:\n${kspanOtlp.stderr.slice(-1500)}`);
  });
});

describe('selectors: pids, ports, executables (real BPF)', { skip }, () => {
  let node1: ServerProcess;
  let node2: ServerProcess;
  let python: ServerProcess;
  let byPid: KspanProcess;
  let byPort: KspanProcess;
  let byExe: KspanProcess;
  let exe: string;
  let dir: string;
  const traceId = hex(16);
  const parentId = hex(8);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-sel-'));
    fs.writeFileSync(path.join(dir, 'f.txt'), 'file\n');
    const pyPort = await freePort();
    [node1, node2, python] = await startAll([ServerProcess.node(), ServerProcess.node(),
      pythonHttpServer(dir, pyPort)]);
    exe = path.basename(fs.readlinkSync(`/proc/${python.pid}/exe`));
    // Three agents side by side, one selector each, all watching the same traffic.
    [byPid, byPort, byExe] = await startAll([
      KspanProcess.start({ kernelYaml: `    discovery: { pids: [${node1.pid}] }` }),
      KspanProcess.start({ kernelYaml: `    discovery: { ports: [${node2.port}] }` }),
      KspanProcess.start({ kernelYaml: `    discovery: { executables: [${exe}] }` }),
    ]);
    for (const port of [node1.port, node2.port]) assert.equal((await curl(`http://127.0.0.1:${port}/hello`)).code, 0);
    assert.equal((await curl(`http://127.0.0.1:${python.port}/f.txt`)).code, 0);
    assert.equal((await run('curl', ['-s', '-o', '/dev/null', '-H', `traceparent: 00-${traceId}-${parentId}-01`, `http://127.0.0.1:${node1.port}/status/202`])).code, 0);
    // No throw on timeout here: each test then says what its agent missed.
    await Promise.all([
      spansWithin(() => byPid.spans(), (s) => spansOf(s, 'SERVER', node1.port).length >= 2, 10_000),
      spansWithin(() => byPort.spans(), (s) => spansOf(s, 'SERVER', node2.port).length >= 1 && spansOf(s, 'CLIENT', node2.port, 'curl').length >= 1, 10_000),
      spansWithin(() => byExe.spans(), (s) => spansOf(s, 'SERVER', python.port).length >= 1, 10_000),
    ]);
    await sleep(500); // spans that should not exist would have been exported with those
  });
  after(async () => {
    await Promise.all([byPid, byPort, byExe].map(async (k) => { await k?.stop(); k?.cleanup(); }));
    await Promise.all([node1?.stop(), node2?.stop(), python?.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('discovery.pids: only that server; curl is not traced; its traceparent is joined', () => {
    const spans = requestSpans(byPid.spans());
    assert.deepEqual([...new Set(spans.map((s) => s.resource['process.pid']))], [node1.pid], `only pid ${node1.pid}:\n${describeSpans(spans)}`);
    assert.equal(spans.filter((s) => s.kind === 'CLIENT').length, 0, 'no curl CLIENT span');
    assert.equal(spans.length, 2, describeSpans(spans));
    const joined = spans.find((s) => s.attributes['url.path'] === '/status/202')!;
    assert.equal(joined.traceId, traceId, 'SERVER span joins the caller\'s trace');
    assert.equal(joined.parentSpanId, parentId);
  });

  test('discovery.ports: only connections to or from that port', () => {
    const spans = requestSpans(byPort.spans());
    const elsewhere = spans.filter((s) => s.attributes['server.port'] !== node2.port);
    assert.equal(elsewhere.length, 0, `spans on other ports:\n${describeSpans(elsewhere)}`);
    assert.equal(spans.length, 2, `one SERVER and one CLIENT span:\n${describeSpans(spans)}`);
    assert.equal(spansOf(spans, 'SERVER', node2.port)[0].parentSpanId, spansOf(spans, 'CLIENT', node2.port)[0].spanId);
  });

  test('discovery.executables: the python interpreter by its real basename only', () => {
    const spans = requestSpans(byExe.spans());
    const others = spans.filter((s) => s.resource['process.executable.name'] !== exe);
    assert.equal(others.length, 0, `spans from other executables than ${exe}:\n${describeSpans(others)}`);
    assert.equal(spans.length, 1, describeSpans(spans));
    assert.equal(spans[0].resource['process.pid'], python.pid);
    assert.equal(spans[0].attributes['url.path'], '/f.txt');
  });
});
