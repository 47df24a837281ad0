/**
 * Sleeps and wakes in a loop on its main thread (tid = pid): every wakeup
 * is a chance to wait on a busy runqueue. Prints "ready PID", waits for a
 * line on stdin, runs argv[2] ms (default 2000) of 1 ms sleeps each followed
 * by ~0.2 ms of work, prints "done WAKEUPS", and exits when stdin closes (so
 * a test can still read its state in the kernel).
 */
import * as readline from 'readline';

const durationMs = Number(process.argv[2] ?? 2000);
process.title = process.argv[3] ?? 'kspan-waker';
process.stdout.write(`ready ${process.pid}\n`);

const rl = readline.createInterface({ input: process.stdin });
let started = false;
rl.on('line', () => {
  if (started) return;
  started = true;
  const end = Date.now() + durationMs;
  let wakeups = 0;
  const tick = () => {
    wakeups++;
    const spin = process.hrtime.bigint() + 200_000n;
    while (process.hrtime.bigint() < spin);
    if (Date.now() < end) setTimeout(tick, 1);
    else process.stdout.write(`done ${wakeups}\n`);
  };
  setTimeout(tick, 1);
});
rl.on('close', () => process.exit(0));
