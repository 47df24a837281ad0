/** Number formatting shared by the stdout table and BENCHMARKS.md. */
import type { Spread } from '../lib/stats';

export function num(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(ratio: number, digits = 1): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : 'n/a';
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : 'n/a';
}

/** "median (min–max)", or just the value for a single run. */
export function spreadOf(s: Spread, f: (x: number) => string): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)} – ${f(s.max)})`;
}

export function signedUs(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${num(x)} µs` : 'n/a';
}
