import type { HrTime } from '@opentelemetry/api';

const NANOS_PER_SECOND = 1_000_000_000n;
const NINE_ZEROS = '000000000';

/** Largest seconds value for which the decimal shortcut below is exact (seconds is a safe integer). */
const MAX_SAFE_SECONDS = Number.MAX_SAFE_INTEGER;

/**
 * An HrTime [seconds, nanoseconds] as the decimal string of its total
 * nanoseconds, truncating fractions like the OTLP transformer does. The usual
 * normalised case is pure string work; anything else goes through BigInt.
 */
export function hrTimeToNanoString(time: HrTime): string {
  const seconds = time[0];
  const nanos = time[1];
  if (isNormalised(seconds, nanos)) {
    const n = String(nanos);
    return seconds === 0 ? n : String(seconds) + NINE_ZEROS.slice(n.length) + n;
  }
  return hrTimeToNanos(time).toString();
}

/** An HrTime as bigint nanoseconds (throws, like the SDK, on NaN). */
export function hrTimeToNanos(time: HrTime): bigint {
  return BigInt(Math.trunc(time[0])) * NANOS_PER_SECOND + BigInt(Math.trunc(time[1]));
}

/** Whole, non-negative, nanoseconds below a second, seconds a safe integer: exact with plain number arithmetic. */
export function isNormalised(seconds: number, nanos: number): boolean {
  return Number.isInteger(seconds) && Number.isInteger(nanos) &&
    seconds >= 0 && seconds <= MAX_SAFE_SECONDS && nanos >= 0 && nanos < 1e9;
}
