/** Progress on stderr, so stdout carries only the final table. */
const t0 = Date.now();

export function log(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
}
