/**
 * Collector-style durations: a Go time.Duration string ("200ms", "5s", "1m30s",
 * "1.5h"; units ns, us, µs, ms, s, m, h) or a plain number of milliseconds.
 * Returns milliseconds, or undefined when the text is not a duration so the
 * caller can name the key in its error.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  // Go accepts a bare "0"; any other unitless number is read as ms, like a YAML number.
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === '') return undefined;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < trimmed.length) {
    const match = TERM.exec(trimmed);
    if (match === null) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return total;
}
