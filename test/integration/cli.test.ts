import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bpfSkipReason } from './harness/bpfAvailable';
import { readSpans } from './harness/ExportedSpans';
import { KspanProcess, sleep } from './harness/KspanProcess';
import { run, ServerProcess } from './harness/Programs';
import { describeSpans, spansOf } from './harness/spanQueries';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

interface CliResult { code: number | null; stdout: string; stderr: string }

/**
 * Runs `node dist/src/cli.js ...args`. With asNobody (and when we are root),
 * as uid/gid 65534: proof that the command needs no privilege.
 */
function cli(args: string[], asNobody = false): Promise<CliResult> {
  const drop = asNobody && isRoot ? { uid: NOBODY, gid: NOBODY } : {};
  // No KSPAN_* from the developer's shell: the command line alone decides.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KSPAN_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 30_000, ...drop }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

describe('kspan CLI', () => {
  // World-readable, so the unprivileged runs can read the configs.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-cli-'));
  fs.chmodSync(dir, 0o755);
  const config = (name: string, yaml: string, mode = 0o644) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, yaml, { mode });
    fs.chmodSync(p, mode);
    return p;
  };
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('version: the package version, no privilege needed', async () => {
    for (const arg of ['version', '--version']) {
      const r = await cli([arg], true);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `kspan ${VERSION}\n`);
    }
  });

  test('an unknown command: exit 2 and the usage', async () => {
    const r = await cli(['trace'], true);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^usage: kspan run/);
  });

  test('check: exit 0 here, with the hook types and every tracepoint; --json parses', { skip: bpfSkipReason() }, async () => {
    const json = await cli(['check', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { fatal?: string; tracepoints: Record<string, boolean>; features: Record<string, boolean>; plan: string[] };
    assert.equal(report.fatal, undefined);
    assert.equal(report.features.tracepointProg, true);
    assert.equal(report.features.ringbuf, true);
    assert.ok(Object.keys(report.tracepoints).length >= 20, 'the tracepoints kspan needs are listed');
    assert.ok(report.plan.length > 0);
    const text = await cli(['check']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^hook types\s+tracepoint=yes .*ringbuf=yes/m);
    for (const [tp, ok] of Object.entries(report.tracepoints)) {
      assert.match(text.stdout, new RegExp(`^  ${ok ? 'ok     ' : 'MISSING'} ${tp}\\b`, 'm'), `text lists ${tp}`);
    }
    assert.match(text.stdout, /^kspan will use:$/m);
  });

  test('check without privilege: exit 1 and a one-line reason', { skip: isRoot ? false : 'needs root to drop to an unprivileged user' }, async () => {
    const r = await cli(['check'], true);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), ['kspan: not privileged: run as root, or grant CAP_BPF and CAP_PERFMON']);
    assert.match(r.stdout, /^kspan cannot run: /m);
  });

  test('a typo in a top-level key: exit 2, one line naming the key and the fix', async () => {
    const p = config('typo.yaml', 'exporter:\n  file: { path: /tmp/never.jsonl }\nservice:\n  pipelines:\n    traces: { exporters: [file] }\n');
    const r = await cli(['run', '--config', p], true);
    assert.equal(r.code, 2);
    const l = lines(r.stderr);
    assert.equal(l.length, 1, r.stderr);
    assert.match(l[0], new RegExp(`^kspan: config error: ${p}: exporter: .*did you mean "exporters"\\?`));
  });

  test('a config that cannot be read: exit 2, one line naming the path', async () => {
    const missing = path.join(dir, 'missing.yaml');
    const cases: Array<[string, boolean]> = [[missing, true], [dir, true]];
    // As root every file is readable; an unprivileged run meets a 0600 root file.
    if (isRoot) cases.push([config('secret.yaml', 'exporters: {}\n', 0o600), true]);
    for (const [p, asNobody] of cases) {
      const r = await cli(['run', '--config', p], asNobody);
      assert.equal(r.code, 2, `${p}: ${r.stderr}`);
      assert.deepEqual(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^kspan: config error: .*cannot read config file ${p}: (ENOENT|EISDIR|EACCES)`));
    }
  });

  test('a pipeline naming an exporter that is not defined: exit 2, one line naming it', async () => {
    const p = config('undefined.yaml', 'exporters:\n  file: { path: /tmp/never.jsonl }\nservice:\n  pipelines:\n    traces:\n      exporters: [file, otlp]\n');
    const r = await cli(['run', '--config', p], true);
    assert.equal(r.code, 2);
    assert.deepEqual(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /service\.pipelines\.traces\.exporters\[1\]: .*"otlp"/);
  });
});

describe('kspan run with the minimal config from docs/configuration.md (real BPF)', { skip: bpfSkipReason() }, () => {
  let dir: string;
  let spansFile: string;
  let kspan: KspanProcess;
  let server: ServerProcess;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-cli-run-'));
    spansFile = path.join(dir, 'kspan-spans.jsonl');
    server = await ServerProcess.node();
    // The documented file, byte for byte, but for the path.
    kspan = await KspanProcess.start({ yaml: [
      'exporters:',
      '  file:',
      `    path: ${spansFile}`,
      'service:',
      '  pipelines:',
      '    traces:',
      '      exporters: [file]',
    ].join('\n') });
  });
  after(async () => {
    await server?.stop();
    await kspan?.stop();
    kspan?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every kspan thread runs at nice 10 (KSPAN_NICE default), the ring-buffer consumers included', () => {
    const tasks = fs.readdirSync(`/proc/${kspan.pid}/task`);
    // Field 19 of stat is the nice value; fields are counted after the parenthesised comm.
    const nice = tasks.map((t) => Number(fs.readFileSync(`/proc/${kspan.pid}/task/${t}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[16]));
    assert.ok(tasks.length > 4, `kspan has its worker and consumer threads (${tasks.length})`);
    assert.deepEqual([...new Set(nice)], [10], `nice per thread: ${nice.join(' ')}`);
  });

  test('loads, writes spans to the file, and SIGINT flushes the last request', async () => {
    assert.equal((await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${server.port}/status/201`])).code, 0);
    const deadline = Date.now() + 15_000;
    while (!spansOf(readSpans(spansFile), 'SERVER', server.port).some((s) => s.attributes['url.path'] === '/status/201')) {
      if (Date.now() > deadline) {
        await kspan.stop(); // its last log line counts what it decoded and emitted
        assert.fail(`no span for /status/201 among the ${readSpans(spansFile).length} spans in ${spansFile} after 15 s; kspan stderr:\n${kspan.stderr.slice(-2000)}`);
      }
      await sleep(100);
    }
    // Default span_hold 300ms and batch timeout 1s: only the shutdown flush can write this one in time.
    assert.equal((await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${server.port}/status/202`])).code, 0);
    assert.equal(await kspan.stopWith('SIGINT'), 0, kspan.stderr.slice(-2000));
    assert.match(kspan.stderr, /SIGINT: flushing spans and stopping/);
    const spans = readSpans(spansFile);
    const last = spansOf(spans, 'SERVER', server.port).filter((s) => s.attributes['url.path'] === '/status/202');
    const stats = /stopped: .*/.exec(kspan.stderr)?.[0];
    assert.equal(last.length, 1, `the request made right before SIGINT is in the file (${stats}):\n${describeSpans(spansOf(spans, 'SERVER', server.port))}`);
    const client = spansOf(spans, 'CLIENT', server.port, 'curl').find((c) => c.spanId === last[0].parentSpanId);
    assert.ok(client, `and so is its curl CLIENT span (${stats})`);
  });
});
