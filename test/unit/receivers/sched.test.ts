/**
 * The sched decoder on records captured from a real run
 * (test/fixtures/kernel/sched.*, recorded by the integration test
 * kernel-families.test.ts with KSPAN_RECORD_KERNEL_FIXTURES: a watched waker
 * on CPU 0 behind three pinned hogs) and on hand-built records.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { BatchRecorder } from '../../../src/receivers/bpf/BatchRecorder';
import { MonotonicClock } from '../../../src/receivers/MonotonicClock';
import {
  decodeSchedHistogram, SCHED_HIST_SIZE, SCHED_HIST_SLOTS, SCHED_WAIT_SIZE, SchedEventDecoder, schedHistogramBounds,
} from '../../../src/receivers/sched/SchedEventDecoder';
import { RunqueueWaitEvent } from '../../../src/receivers/sched/types';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'kernel');
const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'sched.json'), 'utf8')) as {
  watchedPid: number; unwatchedPid: number; hogPids: number[]; hogComm: string; wakerComm: string; minWaitNs: number;
};

function decodeAll(batches: Buffer[]): { events: RunqueueWaitEvent[]; decoder: SchedEventDecoder } {
  const events: RunqueueWaitEvent[] = [];
  const decoder = new SchedEventDecoder(new MonotonicClock(), { onRunqueueWait: (e) => events.push(e) });
  for (const b of batches) decoder.decodeBatch(b);
  return { events, decoder };
}

/** A batch as the native consumer builds it: u32 size, u32 reserved, record, padding to 8. */
function batchOf(...records: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32LE(r.length);
    parts.push(hdr, r, Buffer.alloc((8 - (r.length % 8)) % 8));
  }
  return Buffer.concat(parts);
}

function waitRecord(o: { flags?: number; cpu?: number; tid?: number; tgid?: number; start: bigint; end: bigint; prevTid?: number; prevTgid?: number; prevComm?: string; comm?: string }): Buffer {
  const b = Buffer.alloc(SCHED_WAIT_SIZE);
  b.writeUInt8(1, 0);
  b.writeUInt8(o.flags ?? 0, 1);
  b.writeUInt32LE(o.cpu ?? 0, 4);
  b.writeUInt32LE(o.tid ?? 100, 8);
  b.writeUInt32LE(o.tgid ?? 100, 12);
  b.writeBigUInt64LE(o.start, 16);
  b.writeBigUInt64LE(o.end, 24);
  b.writeUInt32LE(o.prevTid ?? 0, 32);
  b.writeUInt32LE(o.prevTgid ?? 0, 36);
  b.write(o.prevComm ?? 'swapper/0', 40, 16, 'latin1');
  b.write(o.comm ?? 'worker', 56, 16, 'latin1');
  return b;
}

test('recorded run: only the watched thread, only waits above the threshold, the hogs ran instead', () => {
  const { events, decoder } = decodeAll(BatchRecorder.read(path.join(FIXTURES, 'sched.batches')));
  assert.equal(decoder.stats.malformed, 0);
  assert.ok(events.length >= 20, `${events.length} waits`);
  let lastEnd = -Infinity; // recorded in the past: relative to a clock started now, times are negative
  for (const e of events) {
    assert.equal(e.tid, meta.watchedPid, 'the kernel sends events for watched threads only');
    assert.equal(e.tgid, meta.watchedPid);
    assert.equal(e.comm, meta.wakerComm);
    assert.equal(e.cpu, 0);
    assert.ok(e.durationNs >= meta.minWaitNs, `${e.durationNs} >= min_wait_ns`);
    assert.ok(e.durationNs < 5e9);
    assert.ok(Math.abs(e.endTs - e.startTs - e.durationNs) < 1);
    assert.ok(e.endTs >= lastEnd, 'one CPU: records in switch order');
    lastEnd = e.endTs;
    assert.equal(e.newThread, false);
  }
  const byHog = events.filter((e) => e.prevComm === meta.hogComm && meta.hogPids.includes(e.prevTid));
  assert.ok(byHog.length >= events.length / 4, `${byHog.length} of ${events.length} waits behind a hog`);
  assert.ok(byHog.every((e) => e.prevTgid === e.prevTid), 'hogs are single-threaded busy loops');
});

test('hand-built record: flags, comms, 64-bit timestamps across a 2^32 boundary', () => {
  const start = 0x1_ffff_fff0n;
  const end = start + 3_000_000n; // carries into the high word
  const { events, decoder } = decodeAll([batchOf(
    waitRecord({ flags: 1, cpu: 3, tid: 7, tgid: 5, start, end, prevTid: 99, prevTgid: 98, prevComm: 'batch-job', comm: 'http-worker-1' }),
    waitRecord({ flags: 2, start: 10n, end: 20n, prevComm: 'exactly16chars!!', comm: '' }),
  )]);
  assert.equal(decoder.stats.malformed, 0);
  const [a, b] = events;
  assert.equal(a.durationNs, 3_000_000);
  assert.equal(a.preempted, true);
  assert.equal(a.newThread, false);
  assert.equal(a.cpu, 3);
  assert.equal(a.tid, 7);
  assert.equal(a.tgid, 5);
  assert.equal(a.prevTid, 99);
  assert.equal(a.prevTgid, 98);
  assert.equal(a.prevComm, 'batch-job');
  assert.equal(a.comm, 'http-worker-1');
  assert.equal(b.preempted, false);
  assert.equal(b.newThread, true);
  assert.equal(b.prevComm, 'exactly16chars!!', 'a 16-byte comm without NUL stays inside its field');
  assert.equal(b.comm, '');
  assert.equal(b.durationNs, 10);
});

test('hostile batches: unknown type, short record, overrun, zero size', () => {
  const short = waitRecord({ start: 1n, end: 2n }).subarray(0, 40);
  const unknown = waitRecord({ start: 1n, end: 2n });
  unknown[0] = 9;
  const { events, decoder } = decodeAll([batchOf(short, unknown, waitRecord({ start: 1n, end: 2n }))]);
  assert.equal(events.length, 1);
  assert.equal(decoder.stats.malformed, 2);
  const overrun = batchOf(waitRecord({ start: 1n, end: 2n }));
  overrun.writeUInt32LE(4096, 0);
  const zero = Buffer.alloc(16);
  const r = decodeAll([overrun, zero]);
  assert.equal(r.events.length, 0);
  assert.equal(r.decoder.stats.malformed, 2);
});

test('histogram: log2 µs slots become explicit bounds in seconds', () => {
  const bounds = schedHistogramBounds();
  assert.equal(bounds.length, SCHED_HIST_SLOTS - 1);
  assert.equal(bounds[0], 2e-6, 'slot 0: waits below 2 µs');
  assert.equal(bounds[9], 1024e-6, 'slot 9: [512 µs, 1024 µs)');
  for (let i = 1; i < bounds.length; i++) assert.equal(bounds[i], bounds[i - 1] * 2);

  const v = Buffer.alloc(SCHED_HIST_SIZE * 2); // two per-CPU copies sum
  for (const base of [0, SCHED_HIST_SIZE]) {
    v.writeBigUInt64LE(3n, base + 0 * 8);
    v.writeBigUInt64LE(2n, base + 9 * 8);
    v.writeBigUInt64LE(1n, base + (SCHED_HIST_SLOTS - 1) * 8);
    v.writeBigUInt64LE(6n, base + SCHED_HIST_SLOTS * 8);
    v.writeBigUInt64LE(70_001_000_000n, base + SCHED_HIST_SLOTS * 8 + 8);
  }
  const h = decodeSchedHistogram(v);
  assert.equal(h.counts.length, h.bounds.length + 1);
  assert.equal(h.counts[0], 6);
  assert.equal(h.counts[9], 4);
  assert.equal(h.counts[SCHED_HIST_SLOTS - 1], 2, 'open-ended last slot');
  assert.equal(h.count, 12);
  assert.equal(h.sumNs, 140_002_000_000);
  const one = decodeSchedHistogram(v.subarray(0, SCHED_HIST_SIZE));
  assert.equal(one.count, 6);
});
