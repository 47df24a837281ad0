/** One run's results as tables: the same tables go to stdout and into BENCHMARKS.md. */
import { spread } from '../lib/stats';
import { mb, num, pct, signedUs, spreadOf } from './format';
import type { BenchResults, KspanRunCost } from './results';

export interface Table {
  title: string;
  note?: string;
  header: string[];
  rows: string[][];
}

const us = (x: number) => `${num(x)} µs`;
const verdict = (p: boolean | undefined) => (p === undefined ? 'not shown' : p ? 'PASS' : 'FAIL');

export function buildTables(r: BenchResults): Table[] {
  const t: Table[] = [];
  if (r.targets.length) t.push({
    title: 'Targets',
    header: ['target', 'goal', 'measured (median of pairs, min – max)', 'verdict'],
    rows: r.targets.map((x) => [x.name, x.target, x.note ? `${x.measured}; ${x.note}` : x.measured, verdict(x.pass)]),
  });
  if (r.saturation.length) {
    t.push({
      title: 'Overhead at saturation (wrk, closed loop)',
      note: `wrk -t1 -c${r.saturation[0].connections}, ${r.saturation[0].seconds} s per run, ${r.saturation[0].pairs.length} A/B pairs; ratios are with/without per pair`,
      header: ['server', 'req/s without', 'req/s with', 'throughput ratio', 'p50 ratio', 'p99 ratio', 'kspan events/s', 'lost'],
      rows: r.saturation.map((s) => [
        s.server,
        spreadOf(spread(s.pairs.map((p) => p.without.requestsPerSec)), (x) => num(x)),
        spreadOf(spread(s.pairs.map((p) => p.with.requestsPerSec)), (x) => num(x)),
        spreadOf(s.throughputRatio, (x) => pct(x)),
        spreadOf(s.p50Ratio, (x) => x.toFixed(2)),
        spreadOf(s.p99Ratio, (x) => x.toFixed(2)),
        spreadOf(spread(s.pairs.map((p) => p.kspan.eventsPerSec)), (x) => num(x)),
        num(s.pairs.reduce((a, p) => a + p.kspan.eventsLostTotal, 0)),
      ]),
    });
  }
  if (r.fixedRate.length) {
    const f0 = r.fixedRate[0];
    t.push({
      title: `Overhead at a fixed rate (open loop, ${num(f0.rate)} req/s)`,
      note: `bench/loadgen: ${f0.connections} keep-alive connections, ${f0.seconds} s per run, latency from the intended send time (no coordinated omission), ${f0.pairs.length} A/B pairs`,
      header: ['server', 'p50 without', 'p50 added', 'p99 without', 'p99 with', 'p99 added', 'p99.9 added'],
      rows: r.fixedRate.map((f) => [
        f.server,
        spreadOf(spread(f.pairs.map((p) => p.without.latencyUs.p50)), us),
        spreadOf(f.p50AddedUs, signedUs),
        spreadOf(f.p99WithoutUs, us),
        spreadOf(f.p99WithUs, us),
        spreadOf(f.p99AddedUs, signedUs),
        spreadOf(f.p999AddedUs, signedUs),
      ]),
    });
  }
  const costRows = [
    ...r.fixedRate.map((f) => costRow(`${f.server} at ${num(f.rate)} req/s`, f.pairs.map((p) => p.kspan))),
    ...r.saturation.map((s) => costRow(`${s.server} at saturation`, s.pairs.map((p) => p.kspan))),
  ];
  if (costRows.length) {
    t.push({
      title: "kspan's own cost",
      note: `CPU = user+sys of the kspan process from just before the load until its last span is exported; peak RSS ${mb(r.cost.peakRssBytes)} (VmHWM, max over all runs); ` +
        `BPF maps ${mb(r.cost.bpfMapBytes)} (bytes_memlock of the maps kspan holds). Expected spans = 2 per request; exported spans include kernel child spans, ` +
        'so exported can exceed expected; spans_not_exported = HTTP spans made − spans exported (a lower bound)',
      header: ['workload', 'CPU s per 1k req', '% of a core per 1k req/s', 'user / sys', 'events/s', 'events lost', 'spans exported / expected'],
      rows: costRows,
    });
  }
  if (r.capacity) {
    const c = r.capacity;
    t.push({
      title: `Capacity (${c.server}, rising rates, one kspan)`,
      note: `highest lossless: ${num(c.maxZeroLossEventsPerSec)} events/s${c.loadLimited ? ' (no loss seen: a floor set by the load this machine could generate)' : ''}; saturates first: ${c.saturatesFirst}`,
      header: ['driver', 'offered req/s', 'achieved req/s', 'events/s', 'kspan CPU during load, % of a core (user/sys)', 'lost', 'spans exported / expected', 'client p99'],
      rows: c.steps.map((x) => [
        x.driver,
        x.driver === 'wrk' ? 'max' : num(x.offeredRate),
        num(x.achievedRate),
        num(x.eventsPerSec),
        `${num(x.kspanCpuPctOfCore)}% (${num(x.kspanUserPct)}/${num(x.kspanSysPct)})`,
        lostText(x.eventsLost),
        `${num(x.spansExported)} / ${num(x.spansExpected)}${undrained(x.drained ? 0 : 1)}`,
        x.clientP99Us !== undefined ? us(x.clientP99Us) : '–',
      ]),
    });
  }
  if (r.profile) {
    const p = r.profile;
    t.push({
      title: `Where kspan's JS thread spends its time (CPU profile, nginx at ${num(p.rate)} req/s, ${num(p.eventsPerSec)} events/s)`,
      note: `kspan used ${num(p.kspanCpuPctOfCore)}% of a core (all threads, profiling on); shares are of the JS thread's busy samples`,
      header: ['stage', 'share'],
      rows: p.summary.stages.map((s) => [s.stage, `${s.pct}%`]),
    });
    t.push({
      title: 'Hottest functions (samples charged to the nearest kspan/OpenTelemetry frame)',
      header: ['function', 'share'],
      rows: p.summary.topOwners.map((s) => [s.fn, `${s.pct}%`]),
    });
  }
  if (r.micro) {
    const m = r.micro;
    const spans = (x: { perSec: number; perCpuSec: number }) => `${num(x.perCpuSec)} spans/s (${num(x.perSec)} per wall second)`;
    t.push({
      title: 'Micro benchmarks (one process, no kernel)',
      note: 'rates per second of CPU time of the measuring process, so that other load on the machine does not count',
      header: ['benchmark', 'result'],
      rows: [
        ['HTTP/1 parser (recorded fixtures, per-syscall chunks)', `${num(m.http1.mbPerSec, 1)} MB/s, ${num(m.http1.messagesPerSec)} messages/s`],
        ['HTTP/2 parser (bench/micro/http2Parser.ts)', m.http2 ? `${num(m.http2.mbPerSec, 1)} MB/s, ${num(m.http2.framesPerSec)} frames/s` : 'not built yet'],
        ['socket events → correlator → spans', spans(m.spans.correlatorOnly)],
        ['… → OTel SDK → file exporter', spans(m.spans.file)],
        ['… → OTel SDK → otlphttp exporter (loopback receiver)', spans(m.spans.otlphttp)],
        ...(m.spans.dropped ? [['spans dropped by the batch processor', num(m.spans.dropped)]] : []),
      ],
    });
  }
  return t;
}

function costRow(label: string, runs: KspanRunCost[]): string[] {
  const s = (f: (k: KspanRunCost) => number) => spread(runs.map(f));
  const lost: Record<string, number> = {};
  for (const k of runs) for (const [reason, n] of Object.entries(k.eventsLost)) lost[reason] = (lost[reason] ?? 0) + n;
  return [
    label,
    spreadOf(s((k) => k.cpuSecPer1kRequests), (x) => x.toFixed(4)),
    spreadOf(s((k) => k.cpuPctPer1kRps), (x) => `${x.toFixed(2)}%`),
    `${num(runs.reduce((a, k) => a + k.userSec, 0), 1)} / ${num(runs.reduce((a, k) => a + k.sysSec, 0), 1)} s`,
    spreadOf(s((k) => k.eventsPerSec), (x) => num(x)),
    lostText(lost),
    `${num(runs.reduce((a, k) => a + k.spansExported, 0))} / ${num(runs.reduce((a, k) => a + k.spansExpected, 0))}${undrained(runs.filter((k) => !k.drained).length)}`,
  ];
}

function undrained(n: number): string {
  return n ? ` (${n} run${n > 1 ? 's' : ''} still exporting 10 s after the load)` : '';
}

function lostText(lost: Record<string, number>): string {
  const parts = Object.entries(lost).filter(([, n]) => n > 0).map(([k, n]) => `${num(n)} ${k}`);
  return parts.length ? parts.join(', ') : '0';
}

export function renderMarkdown(tables: Table[]): string {
  return tables.map((t) => {
    const esc = (c: string) => c.replace(/\|/g, '\\|');
    const lines = [`### ${t.title}`, ''];
    if (t.note) lines.push(t.note, '');
    lines.push(`| ${t.header.map(esc).join(' | ')} |`, `| ${t.header.map(() => '---').join(' | ')} |`);
    for (const row of t.rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
    return lines.join('\n');
  }).join('\n\n');
}

/** For a terminal: aligned columns. */
export function renderText(tables: Table[]): string {
  return tables.map((t) => {
    const all = [t.header, ...t.rows];
    const widths = t.header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
    const line = (r: string[]) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd();
    return [`== ${t.title}`, ...(t.note ? [`   ${t.note}`] : []), line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
  }).join('\n\n');
}
