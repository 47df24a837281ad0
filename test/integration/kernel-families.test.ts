/**
 * The sched and tcp families on the real kernel: each receiver is loaded for
 * real and faults are made for real — CPU hogs pinned with taskset next to a
 * watched process, random drops on loopback with iptables, connects to open
 * and closed ports.
 *
 * KSPAN_RECORD_KERNEL_FIXTURES=<dir> also writes the raw ring-buffer batches
 * and a description of the run there (the decoders' unit-test fixtures in
 * test/fixtures/kernel/ were captured this way).
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { bpfSkipReason } from './harness/bpfAvailable';
import { PROGRAMS, ServerProcess } from './harness/Programs';
import { freePort } from './harness/net';
import { LoopbackDrop } from './harness/Faults';
import { loadNativeAddon } from '../../src/receivers/bpf/NativeAddon';
import { MonotonicClock } from '../../src/receivers/MonotonicClock';
import { SchedReceiver } from '../../src/receivers/sched/SchedReceiver';
import { RunqueueWaitEvent } from '../../src/receivers/sched/types';
import { TcpReceiver } from '../../src/receivers/tcp/TcpReceiver';
import { TcpConnectEvent, TcpDropEvent, TcpRetransmitEvent } from '../../src/receivers/tcp/types';

const skip = bpfSkipReason();
const RECORD_DIR = process.env.KSPAN_RECORD_KERNEL_FIXTURES;
const log = (level: string, msg: string) => { if (level !== 'debug') process.stderr.write(`${level}: ${msg}\n`); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process a test starts, killed in after() whatever happened. */
const children: ChildProcess[] = [];

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function killAll(): void {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

/** Resolves with the first stdout match of `re` (the process keeps running). */
function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${re} from pid ${child.pid} in ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) { clearTimeout(timer); child.stdout!.off('data', onData); resolve(m); }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`pid ${child.pid} exited ${code} before ${re}: ${out}`)); });
  });
}

/** Runs a program to its end; its pid and stdout. */
function runToEnd(command: string, args: string[], timeoutMs = 60_000): Promise<{ pid: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = start(command, args);
    let stdout = '', stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${command} ${args.join(' ')}: timeout`)); }, timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ pid: child.pid!, code, stdout, stderr }); });
  });
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await sleep(25);
}

function stats(values: number[]): string {
  if (values.length === 0) return 'none';
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `n=${s.length} min=${s[0].toFixed(3)} p50=${q(0.5).toFixed(3)} p90=${q(0.9).toFixed(3)} max=${s[s.length - 1].toFixed(3)}`;
}

function record(name: string, meta: object): void {
  if (RECORD_DIR) fs.writeFileSync(path.join(RECORD_DIR, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
}

function recordPath(name: string): string | undefined {
  if (!RECORD_DIR) return undefined;
  fs.mkdirSync(RECORD_DIR, { recursive: true });
  const p = path.join(RECORD_DIR, `${name}.batches`);
  fs.rmSync(p, { force: true });
  return p;
}

/**
 * Three busy loops pinned to CPU 0 at nice -10: heavier than the nice-0
 * wakers, so a woken waker usually waits out a hog's slice, and the hogs,
 * not whatever else the host runs, are what runs instead. Started after the
 * wakers are up (node starts slowly on a CPU it loses to three hogs).
 */
async function startHogs(): Promise<ChildProcess[]> {
  const hogs = [1, 2, 3].map(() => start('taskset', ['-c', '0', 'nice', '-n', '-10', process.execPath, path.join(PROGRAMS, 'cpuHog.js'), 'kspan-hog', '30000']));
  await Promise.all(hogs.map((h) => waitForLine(h, /spinning (\d+)/)));
  return hogs;
}

/**
 * Keeps this process (the receivers' ring-buffer threads and the test's JS)
 * off CPU 0 while the sched tests run, so it does not compete with what is
 * measured there. Returns the undo.
 */
function leaveCpu0(): () => void {
  try {
    const mask = /affinity mask:\s*([0-9a-f]+)/.exec(execFileSync('taskset', ['-p', String(process.pid)]).toString())?.[1];
    if (!mask || (BigInt(`0x${mask}`) & ~1n) === 0n) return () => undefined;
    execFileSync('taskset', ['-a', '-p', (BigInt(`0x${mask}`) & ~1n).toString(16), String(process.pid)], { stdio: 'ignore' });
    return () => execFileSync('taskset', ['-a', '-p', mask, String(process.pid)], { stdio: 'ignore' });
  } catch {
    return () => undefined;
  }
}

describe('sched family: runqueue waits (real BPF)', { skip }, () => {
  const waits: RunqueueWaitEvent[] = [];
  let sched: SchedReceiver;
  let restoreAffinity = () => undefined as void;

  before(() => {
    restoreAffinity = leaveCpu0();
    sched = new SchedReceiver(loadNativeAddon(), new MonotonicClock(), { onRunqueueWait: (e) => waits.push(e) }, log,
      { recordPath: recordPath('sched') });
    const status = sched.start();
    assert.equal(status.attached.length, 3, JSON.stringify(status));
  });
  after(() => {
    killAll();
    sched?.stop();
    restoreAffinity();
  });

  test('a watched thread sharing CPU 0 with three pinned hogs waits, and the hog is what ran instead', async (t) => {
    // One waker at a time, so the hogs are its only competitors; the
    // unwatched one runs second, under the same load.
    const watched = start('taskset', ['-c', '0', process.execPath, path.join(PROGRAMS, 'wakeLoop.js'), '1500', 'kspan-waker']);
    const unwatched = start('taskset', ['-c', '0', process.execPath, path.join(PROGRAMS, 'wakeLoop.js'), '1000', 'kspan-other']);
    const watchedPid = Number((await waitForLine(watched, /ready (\d+)/))[1]);
    const unwatchedPid = Number((await waitForLine(unwatched, /ready (\d+)/))[1]);
    assert.ok(sched.watchThread(watchedPid));
    const hogs = await startHogs();

    const done = waitForLine(watched, /done (\d+)/, 20_000);
    watched.stdin!.write('go\n');
    const [, wakeups] = await done;
    const otherDone = waitForLine(unwatched, /done (\d+)/, 20_000);
    unwatched.stdin!.write('go\n');
    const [, otherWakeups] = await otherDone;
    await sleep(300); // ring buffer poll + batch delivery

    const mine = waits.filter((w) => w.tid === watchedPid);
    const ms = mine.map((w) => w.durationNs / 1e6);
    const ranInstead = new Map<string, number>();
    for (const w of mine) {
      const who = `${w.prevComm}${w.prevTgid === watchedPid ? '(own thread)' : ''}`;
      ranInstead.set(who, (ranInstead.get(who) ?? 0) + 1);
    }
    const top = [...ranInstead].sort((a, b) => b[1] - a[1]);
    t.diagnostic(`watched ${watchedPid}: ${wakeups} wakeups, ${mine.length} waits >= 100 µs, ms ${stats(ms)}`);
    t.diagnostic(`ran instead: ${top.map(([c, n]) => `${c}=${n}`).join(' ')}`);

    assert.ok(mine.length >= 5, `waits of the watched thread: ${mine.length}`);
    for (const w of mine) {
      assert.equal(w.tgid, watchedPid);
      assert.equal(w.comm, 'kspan-waker');
      assert.equal(w.cpu, 0, 'pinned to CPU 0');
      assert.ok(w.durationNs >= 100_000, `above the 100 µs threshold: ${w.durationNs}`);
      assert.ok(w.durationNs < 5e9, `plausible: ${w.durationNs}`);
      assert.ok(Math.abs(w.endTs - w.startTs - w.durationNs) < 1, 'relative timestamps agree with the exact duration');
      assert.ok(w.startTs > 0);
    }
    // Other work on the host can run on CPU 0 too; the hogs must be a large share.
    const hogPids = new Set(hogs.map((h) => h.pid));
    const byHog = mine.filter((w) => w.prevComm === 'kspan-hog' && hogPids.has(w.prevTid) && w.prevTgid === w.prevTid).length;
    assert.ok(byHog >= mine.length / 4, `a hog ran instead in ${byHog} of ${mine.length} waits`);
    assert.equal(waits.filter((w) => w.tid === unwatchedPid).length, 0, 'no events for an unwatched thread');

    // Every wait of every process feeds its histogram, watched or not.
    const hists = sched.readHistograms([watchedPid, unwatchedPid]);
    for (const pid of [watchedPid, unwatchedPid]) {
      const h = hists.get(pid);
      assert.ok(h, `histogram for ${pid}`);
      assert.equal(h.counts.length, h.bounds.length + 1);
      assert.equal(h.counts.reduce((a, b) => a + b, 0), h.count);
      assert.ok(h.count >= Number(pid === watchedPid ? wakeups : otherWakeups) / 2, `${pid}: ${h.count} waits counted`);
      const over100us = h.counts.slice(7).reduce((a, b) => a + b, 0); // slot 7: >= 128 µs
      assert.ok(over100us > 0, `${pid} has waits >= 128 µs`);
      t.diagnostic(`histogram ${pid}: count=${h.count} mean=${(h.sumNs / h.count / 1e3).toFixed(1)} µs, slots ${h.counts.map((c, i) => (c ? `<${(h.bounds[i] ?? Infinity) * 1e6}µs:${c}` : '')).filter(Boolean).join(' ')}`);
    }
    assert.ok(sched.readHistograms().has(watchedPid), 'found by enumeration too');
    assert.ok(sched.readHistograms().has(unwatchedPid));
    assert.equal(sched.counters().ringbuf_full, 0);
    assert.ok(sched.counters().events >= mine.length);
    assert.equal(sched.decoder.stats.malformed, 0);
    assert.equal(sched.unwatchThread(watchedPid), true);
    assert.equal(sched.unwatchThread(watchedPid), false);
    record('sched', { watchedPid, unwatchedPid, hogPids: [...hogPids], hogComm: 'kspan-hog', wakerComm: 'kspan-waker', minWaitNs: 100_000 });

    watched.stdin!.end();
    unwatched.stdin!.end();
    killAll();
  });
});

describe('sched family: the raw_tp variant does the same job (real BPF)', { skip }, () => {
  const waits: RunqueueWaitEvent[] = [];
  let sched: SchedReceiver;
  let restoreAffinity = () => undefined as void;

  before(() => {
    restoreAffinity = leaveCpu0();
    sched = new SchedReceiver(loadNativeAddon(), new MonotonicClock(), { onRunqueueWait: (e) => waits.push(e) }, log, { variant: 'raw_tp' });
    const status = sched.start();
    assert.equal(status.variant, 'raw_tp');
    assert.deepEqual(status.attached, ['sched_wakeup_raw', 'sched_wakeup_new_raw', 'sched_switch_raw']);
    assert.deepEqual(status.skipped.map((x) => x.program), ['sched_wakeup_btf', 'sched_wakeup_new_btf', 'sched_switch_btf']);
  });
  after(() => {
    killAll();
    sched?.stop();
    restoreAffinity();
  });

  test('waits behind pinned hogs', async (t) => {
    const watched = start('taskset', ['-c', '0', process.execPath, path.join(PROGRAMS, 'wakeLoop.js'), '1000', 'kspan-waker']);
    const pid = Number((await waitForLine(watched, /ready (\d+)/))[1]);
    assert.ok(sched.watchThread(pid));
    await startHogs();
    const done = waitForLine(watched, /done (\d+)/, 20_000);
    watched.stdin!.write('go\n');
    await done;
    await sleep(300);
    const mine = waits.filter((w) => w.tid === pid);
    t.diagnostic(`raw_tp: ${mine.length} waits >= 100 µs, ms ${stats(mine.map((w) => w.durationNs / 1e6))}`);
    assert.ok(mine.length >= 5);
    assert.ok(mine.every((w) => w.durationNs >= 100_000 && w.cpu === 0 && w.comm === 'kspan-waker'));
    assert.ok(mine.some((w) => w.prevComm === 'kspan-hog'));
    assert.ok((sched.readHistograms([pid]).get(pid)?.count ?? 0) > 0);
    watched.stdin!.end();
    killAll();
  });
});

describe('tcp family: retransmits, drops, connects (real BPF)', { skip }, () => {
  const rtx: TcpRetransmitEvent[] = [];
  const connects: TcpConnectEvent[] = [];
  const drops: TcpDropEvent[] = [];
  let tcp: TcpReceiver;
  let lossy: ServerProcess;
  let clean: ServerProcess;

  before(async () => {
    tcp = new TcpReceiver(loadNativeAddon(), new MonotonicClock(), {
      onRetransmit: (e) => rtx.push(e),
      onConnect: (e) => connects.push(e),
      onDrop: (e) => drops.push(e),
    }, log, { recordPath: recordPath('tcp') });
    const status = tcp.start();
    assert.deepEqual(status.attached.sort(), ['inet_sock_set_state', 'kfree_skb', 'tcp_retransmit_skb']);
    lossy = await ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'echoServer.js'), '0']);
    clean = await ServerProcess.start(process.execPath, [path.join(PROGRAMS, 'echoServer.js'), '0']);
  });
  after(async () => {
    killAll();
    await lossy?.stop();
    await clean?.stop();
    tcp?.stop();
  });

  test('random drops on loopback: retransmits carry the original send time, drops are counted by reason', { skip: LoopbackDrop.available() ? false : 'iptables not available' }, async (t) => {
    const before = tcp.dropCounters().get('NETFILTER_DROP') ?? 0;
    const drop = new LoopbackDrop(lossy.port, 0.3);
    drop.add();
    let lossyRun, cleanRun;
    try {
      [lossyRun, cleanRun] = await Promise.all([
        runToEnd(process.execPath, [path.join(PROGRAMS, 'tcpPingPong.js'), String(lossy.port), '40', '1000']),
        runToEnd(process.execPath, [path.join(PROGRAMS, 'tcpPingPong.js'), String(clean.port), '40', '1000']),
      ]);
    } finally {
      drop.remove();
    }
    assert.equal(lossyRun.code, 0, lossyRun.stderr);
    assert.equal(cleanRun.code, 0, cleanRun.stderr);
    const on = (port: number) => (e: { localPort: number; remotePort: number }) => e.localPort === port || e.remotePort === port;
    await until(() => rtx.some(on(lossy.port)), 2000);
    await sleep(200);

    const lossyRtx = rtx.filter(on(lossy.port));
    const delaysMs = lossyRtx.map((e) => e.delayNs / 1e6);
    t.diagnostic(`port ${lossy.port}: ${JSON.parse(lossyRun.stdout).ms} ms for 40 rounds, ${lossyRtx.length} retransmits, delay ms ${stats(delaysMs)}`);
    t.diagnostic(`retransmits: ${lossyRtx.map((e) => `${(e.delayNs / 1e6).toFixed(1)}ms ${e.stateName} ${e.caState} ${e.origin} rto=${e.rtoUs / 1000}ms backoff=${e.backoff}`).join('; ')}`);
    assert.ok(lossyRtx.length >= 1, 'retransmits on the lossy port');
    assert.ok(lossyRtx.some((e) => e.delayNs >= 200e6), 'a retransmit waited at least the 200 ms minimum RTO');
    for (const e of lossyRtx) {
      assert.ok(e.sk !== 0n);
      assert.equal(e.localAddress, '127.0.0.1');
      assert.equal(e.remoteAddress, '127.0.0.1');
      assert.ok(e.origTs > 0 && e.origTs <= e.ts, 'original send before the retransmit');
      assert.ok(e.delayNs > 0 && e.delayNs < 60e9, `delay ${e.delayNs}`);
      // A SYN is counted in flight before it is first sent, so it never gets a
      // flight start: its retransmits fall back to the expired RTOs.
      assert.equal(e.origin, e.stateName === 'SYN_SENT' ? 'rto' : 'first_tx', `origin of a ${e.stateName} retransmit`);
      assert.ok(e.rtoUs >= 200_000, `rto ${e.rtoUs} µs`);
      assert.ok(['ESTABLISHED', 'SYN_SENT', 'FIN_WAIT1', 'CLOSE_WAIT', 'LAST_ACK'].includes(e.stateName), e.stateName);
    }
    // Timeout retransmits: the delay is the timeouts that expired (first send → now).
    for (const e of lossyRtx.filter((x) => x.caState === 'Loss')) {
      const expected = e.rtoUs * 1000 * (2 - 2 ** -e.backoff);
      assert.ok(e.delayNs >= expected * 0.9, `Loss retransmit ${e.delayNs} ns covers the expired RTOs ${expected}`);
    }
    assert.equal(rtx.filter(on(clean.port)).length, 0, 'no retransmits on the clean port');

    const after = tcp.dropCounters().get('NETFILTER_DROP') ?? 0;
    t.diagnostic(`NETFILTER_DROP ${before} → ${after}; drop counters ${JSON.stringify([...tcp.dropCounters()])}`);
    assert.ok(after > before, 'NETFILTER_DROP counted');
    const nf = drops.filter((d) => d.reasonName === 'NETFILTER_DROP' && d.localPort === lossy.port);
    assert.ok(nf.length >= 1, 'drop events for the lossy port');
    for (const d of nf) {
      assert.equal(d.source, 'packet', 'netfilter drops before the socket lookup: tuple from the headers');
      assert.equal(d.ingress, true);
      assert.equal(d.sk, 0n);
      assert.equal(d.remoteAddress, '127.0.0.1');
      assert.equal(d.protocol, 0x0800);
    }
    assert.ok(nf.length <= after - before, 'every drop event was counted');
    assert.equal(drops.filter((d) => d.reasonName === 'NETFILTER_DROP' && on(clean.port)(d)).length, 0);
    assert.equal(tcp.counters().ringbuf_full, 0);
    assert.equal(tcp.decoder.stats.malformed, 0);
  });

  test('connects: duration to a listening port, failure to a closed one', async (t) => {
    const ok = await runToEnd(process.execPath, [path.join(PROGRAMS, 'tcpConnect.js'), String(clean.port)]);
    const closedPort = await freePort();
    const refused = await runToEnd(process.execPath, [path.join(PROGRAMS, 'tcpConnect.js'), String(closedPort)]);
    const okOut = JSON.parse(ok.stdout) as { connected: boolean; localPort: number };
    assert.equal(okOut.connected, true);
    assert.equal((JSON.parse(refused.stdout) as { code: string }).code, 'ECONNREFUSED');
    await until(() => connects.some((c) => c.tgid === refused.pid), 2000);

    const good = connects.filter((c) => c.tgid === ok.pid);
    assert.equal(good.length, 1, JSON.stringify(connects.filter((c) => c.remotePort === clean.port), (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v)));
    const c = good[0];
    t.diagnostic(`connect to ${clean.port}: ${(c.durationNs / 1e3).toFixed(1)} µs`);
    assert.equal(c.failed, false);
    assert.equal(c.remotePort, clean.port);
    assert.equal(c.localPort, okOut.localPort);
    assert.equal(c.localAddress, '127.0.0.1');
    assert.ok(c.sk !== 0n);
    assert.ok(c.durationNs > 0 && c.durationNs < 1e9, `duration ${c.durationNs}`);
    assert.ok(Math.abs(c.ts - c.startTs - c.durationNs) < 1);

    const bad = connects.filter((x) => x.tgid === refused.pid);
    assert.equal(bad.length, 1);
    t.diagnostic(`connect to closed ${closedPort}: failed ${bad[0].error} after ${(bad[0].durationNs / 1e3).toFixed(1)} µs`);
    assert.equal(bad[0].failed, true);
    assert.equal(bad[0].error, 'ECONNREFUSED');
    assert.equal(bad[0].remotePort, closedPort);
    assert.ok(bad[0].localPort > 0, 'local port known at CLOSE');
    // The SYN that found no socket is a drop of a TCP packet: counted, and an event.
    assert.ok((tcp.dropCounters().get('NO_SOCKET') ?? 0) >= 1);
    assert.ok(drops.some((d) => d.reasonName === 'NO_SOCKET' && d.localPort === closedPort && d.tcpFlags === 0x02), 'the refused SYN');
    assert.ok(connects.every((x) => x.tgid !== process.pid), 'kspan itself is not traced');
    record('tcp', {
      lossyPort: lossy.port, cleanPort: clean.port, closedPort, okConnectPid: ok.pid, okLocalPort: okOut.localPort, refusedConnectPid: refused.pid,
      dropReasons: Object.fromEntries([...new Set(drops.map((d) => d.reason))].map((r) => [r, tcp.reasons.name(r)])),
    });
  });
});
