import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentEvents } from '../../../src/correlate/kernel/RecentEvents';

interface Ev { startTs: number; endTs: number; id: number }

test('RecentEvents.overlapping equals a brute-force filter, with events added out of order and of mixed lengths', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let round = 0; round < 200; round++) {
    const recent = new RecentEvents<number, Ev>(64, 4, (e) => e.startTs);
    const kept: Ev[] = [];
    let t = 0;
    for (let i = 0; i < 80; i++) {
      t += Math.floor(rand() * 100);
      const jitter = rand() < 0.1 ? -Math.floor(rand() * 300) : 0; // a late event from another CPU
      const len = rand() < 0.05 ? Math.floor(rand() * 5000) : Math.floor(rand() * 50);
      const endTs = Math.max(0, t + jitter);
      const ev = { startTs: Math.max(0, endTs - len), endTs, id: i };
      recent.add(1, ev);
      kept.push(ev);
    }
    // Only the 64 latest by end are kept per key.
    const expectedPool = [...kept].sort((a, b) => a.endTs - b.endTs || a.id - b.id).slice(-64);
    for (let q = 0; q < 20; q++) {
      const start = Math.floor(rand() * t), end = start + Math.floor(rand() * 500);
      const got = recent.overlapping(1, start, end).map((e) => e.id).sort((a, b) => a - b);
      const want = expectedPool.filter((e) => e.endTs >= start && e.startTs <= end).map((e) => e.id).sort((a, b) => a - b);
      assert.deepEqual(got, want, `round ${round} window [${start}, ${end}]`);
    }
  }
});

test('RecentEvents: an unknown key or an empty window allocates nothing new', () => {
  const recent = new RecentEvents<number, Ev>(8, 2, (e) => e.startTs);
  recent.add(1, { startTs: 10, endTs: 20, id: 1 });
  assert.equal(recent.overlapping(2, 0, 100), recent.overlapping(1, 30, 40), 'the same shared empty array');
  assert.deepEqual(recent.overlapping(1, 15, 16).map((e) => e.id), [1]);
});
