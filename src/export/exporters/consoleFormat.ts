import type { Attributes, HrTime } from '@opentelemetry/api';

/** Writes one line; the console exporters default to stdout. */
export type LineWriter = (line: string) => void;

export const stdoutWriter: LineWriter = line => {
  process.stdout.write(`${line}\n`);
};

/** Milliseconds with precision that suits both 40 µs kernel waits and 2 s requests. */
export function formatMillis(duration: HrTime): string {
  const ms = duration[0] * 1e3 + duration[1] / 1e6;
  if (ms >= 100) return `${ms.toFixed(0)}ms`;
  if (ms >= 1) return `${ms.toFixed(1)}ms`;
  return `${ms.toFixed(3)}ms`;
}

export function formatAttributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
    .join(',');
}
