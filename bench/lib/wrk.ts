/** Closed-loop saturation load with wrk (Debian's): throughput and latency at the server's limit. */
import { runToEnd } from './spawn';

export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  errors: number;
}

const UNIT_US: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000 };

function durationUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`wrk: cannot read duration "${text}"`);
  return Number(m[1]) * UNIT_US[m[2]];
}

export function parseWrk(out: string): WrkResult {
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
    if (!m) throw new Error(`wrk: no ${p}% line in:\n${out}`);
    return durationUs(m[1]);
  };
  const reqs = /(\d+) requests in ([\d.]+)(\w+),/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!reqs || !rps) throw new Error(`wrk: unexpected output:\n${out}`);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors = (errs ? errs.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    requests: Number(reqs[1]),
    seconds: durationUs(`${reqs[2]}${reqs[3]}`) / 1e6,
    requestsPerSec: Number(rps[1]),
    p50Us: pct('50'),
    p90Us: pct('90'),
    p99Us: pct('99'),
    errors,
  };
}

/** One thread: on 2 cores the server gets one, wrk the other, kspan has to fit in between. */
export async function runWrk(port: number, seconds: number, connections: number): Promise<WrkResult> {
  const { stdout } = await runToEnd('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`],
    { timeoutMs: (seconds + 30) * 1000 });
  return parseWrk(stdout);
}
