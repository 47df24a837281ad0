/**
 * Spans/s through kspan's user-space path without the kernel: synthetic
 * socket events → HttpCorrelator (parsers, pairing, parenting, span build) →
 * TraceExportPipeline (OpenTelemetry SDK, batch processor) → an exporter.
 * The producer waits for the exporter every EXPORT_EVERY spans, below the
 * batch queue's capacity, so what is measured is sustained throughput with
 * nothing dropped (dropped spans are counted and reported if any). Reported
 * per second of wall time and per second of this process's CPU time (all
 * threads, the file exporter's writes included; the OTLP receiver runs in
 * another process and is not counted); the latter resists other load.
 */
import * as path from 'path';
import type { ExporterConfig } from '../../src/config/types';
import { HttpCorrelator } from '../../src/correlate/HttpCorrelator';
import type { KspanSpan } from '../../src/correlate/span';
import { TraceExportPipeline } from '../../src/export';
import { MonotonicClock } from '../../src/receivers/MonotonicClock';
import { makeTempDir, removeTempDir } from '../lib/cleanup';
import { Child } from '../lib/spawn';
import { SyntheticTraffic, processLookup } from './syntheticTraffic';

const CONNECTIONS = 64;
const EXPORT_EVERY = 4096;
/** The agent's flush cadence is 50 ms; flushing every this many requests is the same order at these rates. */
const REQUESTS_PER_FLUSH = 256;

export interface PipelineBench {
  spansPerSec: number;
  spansPerCpuSec: number;
  spans: number;
  dropped: number;
}

interface Driven {
  spans: number;
  elapsed: number;
  cpu: number;
}

async function drive(seconds: number, sink: (s: KspanSpan) => void, drain: () => Promise<void>): Promise<Driven> {
  const clock = new MonotonicClock();
  let sinceDrain = 0;
  const counted = (s: KspanSpan) => { sinceDrain++; sink(s); };
  const correlator = new HttpCorrelator(clock, processLookup, counted, { holdMs: 0, redactQuery: true });
  const traffic = new SyntheticTraffic(correlator, CONNECTIONS, () => clock.now());
  const round = async () => {
    for (let i = 0; i < REQUESTS_PER_FLUSH; i++) traffic.next();
    correlator.flush(true);
    if (sinceDrain >= EXPORT_EVERY) {
      sinceDrain = 0;
      await drain();
    }
  };
  for (let i = 0; i < 40; i++) await round(); // JIT warm-up
  await drain();
  const start = correlator.stats.spansEmitted;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const deadline = t0 + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) await round();
  await drain();
  const cpu = process.cpuUsage(cpu0);
  return {
    spans: correlator.stats.spansEmitted - start,
    elapsed: Number(process.hrtime.bigint() - t0) / 1e9,
    cpu: (cpu.user + cpu.system) / 1e6,
  };
}

export async function benchCorrelatorOnly(seconds: number): Promise<PipelineBench> {
  let n = 0;
  const r = await drive(seconds, () => n++, async () => undefined);
  return { spansPerSec: r.spans / r.elapsed, spansPerCpuSec: r.spans / r.cpu, spans: r.spans, dropped: 0 };
}

async function benchExporter(seconds: number, exporter: ExporterConfig): Promise<PipelineBench> {
  let exported = 0;
  let emitted = 0;
  const pipeline = new TraceExportPipeline(
    { exporters: [exporter], batch: { timeoutMs: 1000, sendBatchSize: 512, maxQueueSize: 8192 } },
    undefined,
    { agentVersion: 'bench', onExportResult: (_name, items, ok) => { if (ok) exported += items; } },
  );
  try {
    const r = await drive(seconds, (s) => { emitted++; pipeline.export(s); }, () => pipeline.forceFlush());
    await pipeline.shutdown(); // an export still in flight at the last flush is counted once it has finished
    return { spansPerSec: r.spans / r.elapsed, spansPerCpuSec: r.spans / r.cpu, spans: r.spans, dropped: Math.max(0, emitted - exported) };
  } finally {
    await pipeline.shutdown();
  }
}

export async function benchFileExport(seconds: number): Promise<PipelineBench> {
  const dir = makeTempDir('micro-file');
  try {
    return await benchExporter(seconds, { type: 'file', name: 'file', path: path.join(dir, 'spans.jsonl') });
  } finally {
    removeTempDir(dir);
  }
}

export async function benchOtlpHttpExport(seconds: number): Promise<PipelineBench> {
  const sink = Child.start(process.execPath, [path.join(__dirname, 'otlpSink.js')]);
  try {
    const port = Number((await sink.waitFor(/listening (\d+)/, 10_000))[1]);
    const base = `http://127.0.0.1:${port}`;
    return await benchExporter(seconds, {
      type: 'otlphttp', name: 'otlphttp', endpoint: base, signalEndpoint: `${base}/v1/traces`, insecure: true, headers: {}, timeoutMs: 10_000,
    });
  } finally {
    await sink.stop(3000);
  }
}
