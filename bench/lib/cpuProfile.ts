/**
 * Summarises a V8 .cpuprofile of kspan (node --cpu-prof) into where its JS
 * thread spends time. Each sample is charged to the nearest frame, walking
 * from the leaf towards the root, that belongs to a known stage of kspan's
 * path; so Buffer#toString called by the HTTP parser counts as parsing, and
 * a fs write under the file exporter counts as export.
 */
import * as fs from 'fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export type Stage =
  | 'native: libuv + N-API crossing'
  | 'decode'
  | 'http parse'
  | 'correlation'
  | 'span build + SDK'
  | 'export (serialize + write)'
  | 'metrics'
  | 'gc'
  | 'idle'
  | 'other';

const STAGES: Array<[RegExp, Stage]> = [
  [/\/src\/receivers\/(sockets|MonotonicClock)/, 'decode'],
  [/\/src\/receivers\/bpf\//, 'native: libuv + N-API crossing'],
  [/\/src\/protocols\//, 'http parse'],
  [/\/src\/correlate\/SpanBuilder/, 'span build + SDK'],
  [/\/src\/correlate\//, 'correlation'],
  [/\/src\/export\/(KspanMetrics|MetricsPipeline|CountingMetric|DurationHistogram)|@opentelemetry\/(sdk-metrics|exporter-prometheus)/, 'metrics'],
  [/\/src\/export\/(exporters|otlp|CountingSpanExporter)|@opentelemetry\/(otlp-|exporter-trace)/, 'export (serialize + write)'],
  [/\/src\/export\/|@opentelemetry\//, 'span build + SDK'],
  [/\/src\/Agent/, 'other'],
];

function stageOf(frame: CallFrame): Stage | undefined {
  if (frame.functionName === '(garbage collector)') return 'gc';
  if (frame.functionName === '(idle)') return 'idle';
  // Native code outside any JS function: on kspan's main thread that is libuv and the thread-safe-function hand-off of batches.
  if (frame.functionName === '(program)') return 'native: libuv + N-API crossing';
  for (const [re, stage] of STAGES) if (re.test(frame.url)) return stage;
  return undefined;
}

export interface ProfileSummary {
  /** Samples of the JS thread that were not idle. */
  busySamples: number;
  sampleIntervalUs: number;
  /** Share of busy samples per stage, %. */
  stages: Array<{ stage: Stage; pct: number }>;
  /** Busy samples charged to the nearest kspan/OTel frame, top functions. */
  topOwners: Array<{ fn: string; pct: number }>;
  /** Leaf functions (self time), top functions. */
  topSelf: Array<{ fn: string; pct: number }>;
}

function label(f: CallFrame): string {
  if (f.functionName === '(root)') return '(node internals, no kspan frame on the stack)';
  const file = f.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
}

function top(counts: Map<string, number>, busy: number, n: number): Array<{ fn: string; pct: number }> {
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([fn, c]) => ({ fn, pct: round1((100 * c) / busy) }));
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function summariseProfile(file: string, topN = 12): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Resolve each node once: its own stage or its nearest ancestor's.
  const owner = new Map<number, { stage: Stage; frame: CallFrame }>();
  const resolve = (id: number): { stage: Stage; frame: CallFrame } => {
    const known = owner.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const own = stageOf(node.callFrame);
    const up = parent.get(id);
    const r = own ? { stage: own, frame: node.callFrame } : up !== undefined ? resolve(up) : { stage: 'other' as Stage, frame: node.callFrame };
    owner.set(id, r);
    return r;
  };

  const stageCounts = new Map<Stage, number>();
  const owners = new Map<string, number>();
  const leaves = new Map<string, number>();
  let busy = 0;
  for (const id of p.samples) {
    const r = resolve(id);
    if (r.stage === 'idle') continue;
    busy++;
    stageCounts.set(r.stage, (stageCounts.get(r.stage) ?? 0) + 1);
    const o = label(r.frame);
    owners.set(o, (owners.get(o) ?? 0) + 1);
    const leaf = label(byId.get(id)!.callFrame);
    leaves.set(leaf, (leaves.get(leaf) ?? 0) + 1);
  }
  const totalUs = p.timeDeltas.reduce((a, b) => a + b, 0);
  return {
    busySamples: busy,
    sampleIntervalUs: p.samples.length ? Math.round(totalUs / p.samples.length) : 0,
    stages: [...stageCounts.entries()].sort((a, b) => b[1] - a[1]).map(([stage, c]) => ({ stage, pct: round1((100 * c) / Math.max(busy, 1)) })),
    topOwners: top(owners, Math.max(busy, 1), topN),
    topSelf: top(leaves, Math.max(busy, 1), topN),
  };
}
