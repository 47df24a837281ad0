/**
 * Runs kspan's CLI in this process with a V8 CPU profiler that the bench
 * switches on and off with SIGUSR2 (first: start, second: stop and write
 * $KSPAN_BENCH_PROFILE_DIR/kspan.cpuprofile).
 *
 * Why not `node --cpu-prof`: its 1 kHz SIGPROF interrupts the bpf() verifier
 * syscall while kspan loads its programs, and the load fails with EAGAIN.
 * Profiling starts here only once kspan is up.
 * Usage: node profiledKspan.js run --config FILE
 */
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';

const dir = process.env.KSPAN_BENCH_PROFILE_DIR;
if (!dir) throw new Error('KSPAN_BENCH_PROFILE_DIR is not set');
const session = new inspector.Session();
session.connect();
let running = false;

process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    const out = path.join(dir, 'kspan.cpuprofile');
    if (err) fs.writeFileSync(`${out}.error`, String(err));
    else fs.writeFileSync(`${out}.tmp`, JSON.stringify(result.profile));
    if (!err) fs.renameSync(`${out}.tmp`, out);
  });
});

// The CLI reads process.argv.slice(2): "run --config FILE", as given to this script.
require(path.resolve(__dirname, '..', '..', 'src', 'cli.js'));
