/**
 * kspan's CPU priority (nice value), from KSPAN_NICE. kspan is there to
 * explain latency, so where CPUs are contended the applications it observes
 * should win: by default it runs at nice 10. Under sustained saturation it
 * then falls behind and counts what it loses, rather than taking CPU from
 * the requests it measures.
 */
import { ConfigError } from './ConfigError';
import { DEFAULT_NICE } from './defaults';

export function resolveNice(env: NodeJS.ProcessEnv): number {
  const raw = env.KSPAN_NICE?.trim();
  if (raw === undefined || raw === '') return DEFAULT_NICE;
  const nice = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) {
    throw new ConfigError('KSPAN_NICE', `expected an integer from -20 to 19, got "${raw}"`);
  }
  return nice;
}
