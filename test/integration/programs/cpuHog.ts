/**
 * A CPU hog for runqueue tests: spins without sleeping, its comm set to
 * argv[2] (default "kspan-hog") so a test can recognise it as "what ran
 * instead". Exits by itself after argv[3] ms (default 60 s) so a crashed
 * test never leaves it spinning.
 */
process.title = process.argv[2] ?? 'kspan-hog';
const deadline = Date.now() + Number(process.argv[3] ?? 60_000);
process.stdout.write(`spinning ${process.pid}\n`);
let x = 0;
for (;;) {
  for (let i = 0; i < 1_000_000; i++) x = (x + i) | 0;
  if (Date.now() > deadline) break;
}
process.exit(x === 0.5 ? 1 : 0);
