import type { HrTime } from '@opentelemetry/api';

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Kernel timestamps are bigint nanoseconds. The SDK accepts numbers as
 * milliseconds (a double cannot hold epoch nanoseconds exactly) but keeps an
 * HrTime [seconds, nanos] untouched, so this is the only lossless way in.
 */
export function nanosToHrTime(unixNano: bigint): HrTime {
  const clamped = unixNano < 0n ? 0n : unixNano;
  return [Number(clamped / NANOS_PER_SECOND), Number(clamped % NANOS_PER_SECOND)];
}
