import * as path from 'path';
import { KspanConfig } from './config/types';
import { HttpCorrelator } from './correlate/HttpCorrelator';
import { KspanSpan, ProcessIdentity } from './correlate/span';
import { KernelMetrics, KspanMetrics, MetricsPipeline, TraceExportPipeline } from './export';
import { KernelFamilies } from './KernelFamilies';
import type { EventCounterSample } from './export';
import { Logger } from './log';
import { ensureTracefs } from './check/KernelCheck';
import { loadNativeAddon, NativeAddon } from './receivers/bpf/NativeAddon';
import { SocketEventSink } from './receivers/sockets/types';
import { TlsReceiver } from './receivers/tls/TlsReceiver';
import { MonotonicClock } from './receivers/MonotonicClock';
import { ProcessResolver } from './receivers/process/ProcessResolver';
import { SocketsReceiver, SOCK_COUNTERS } from './receivers/sockets/SocketsReceiver';
import { VERSION } from './version';
import { applyNice } from './ProcessPriority';

const FLUSH_INTERVAL_MS = 50;
const HOUSEKEEPING_INTERVAL_MS = 30_000;
/** How often connections of exited processes are looked for. */
const REAP_INTERVAL_MS = 2_000;
/** At stop: time for the ring-buffer threads (50 ms poll) to deliver what is left. */
const DRAIN_MS = 200;

export interface AgentStats {
  kernel: Record<string, number>;
  decoded: number;
  malformed: number;
  batches: number;
  correlator: HttpCorrelator['stats'];
  exportFailures: Record<string, number>;
  /** Spans dropped because an exporter's queue was full. */
  exportDropped: number;
}

/** Wires receivers → correlator → exporters for one KspanConfig. */
export class Agent {
  private receiver: SocketsReceiver | undefined;
  private tls: TlsReceiver | undefined;
  private correlator: HttpCorrelator | undefined;
  private traces: TraceExportPipeline | undefined;
  private metricsPipeline: MetricsPipeline | undefined;
  private metrics = new KspanMetrics();
  private kernelMetrics = new KernelMetrics();
  private kernel: KernelFamilies | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly config: KspanConfig, private readonly log: Logger) {}

  async start(): Promise<void> {
    const { config, log } = this;
    if (!ensureTracefs()) throw new Error('tracefs is not mounted at /sys/kernel/tracing and could not be mounted');
    applyNice(config.nice, log); // before the consumer threads start, so they inherit it
    const addon = loadNativeAddon();
    const clock = new MonotonicClock();
    const identity = { agentVersion: VERSION };
    if (config.metrics) {
      this.metricsPipeline = new MetricsPipeline(config.metrics, log, identity);
      this.metrics = new KspanMetrics(this.metricsPipeline.meter, this.metricsPipeline.requestDurations);
      this.kernelMetrics = new KernelMetrics(this.metricsPipeline.meter);
    }
    if (config.traces) {
      this.traces = new TraceExportPipeline(config.traces, log, {
        ...identity,
        onExportResult: (exporter, items, ok) => ok && this.metrics.addSpansExported(items, exporter),
      });
    }
    const resolver = new ProcessResolver();
    const kernel = new KernelFamilies(config.kernel, clock, log);
    this.kernel = kernel;
    const correlator = new HttpCorrelator(
      clock,
      (pid, comm) => resolver.resolve(pid, comm),
      (span) => this.onSpan(span),
      { holdMs: config.kernel.spanHoldMs, redactQuery: config.kernel.redactQuery },
      executableFilter(config.kernel.discovery.executables),
      config.kernel.families.sched || config.kernel.families.tcp ? kernel.attributor : undefined,
    );
    this.correlator = correlator;
    const sink: SocketEventSink = {
      onOpen: (e) => correlator.onOpen(e),
      onData: (e) => correlator.onData(e),
      onClose: (e) => correlator.onClose(e),
      onTlsBind: (e) => correlator.onTlsBind(e),
      onExec: (e) => this.tls?.onExec(e),
    };
    this.receiver = new SocketsReceiver(addon, config.kernel, clock, sink, log);
    const status = this.receiver.start();
    if (config.kernel.families.tls) this.startTls(addon);
    const kernelFamilies = kernel.start(addon, () => this.correlator, resolver, this.kernelMetrics);
    this.metricsPipeline?.runqueueLatency.setSource(() => kernel.runqueueHistograms(resolver));
    this.metrics.setEventCountersSource(() => this.eventCounters());
    let lastParseErrors = 0;
    this.timers.push(setInterval(() => {
      correlator.flush();
      const errors = correlator.stats.parseErrors;
      if (errors > lastParseErrors) this.metrics.addParseErrors(errors - lastParseErrors, 'http1');
      lastParseErrors = errors;
    }, FLUSH_INTERVAL_MS));
    this.timers.push(setInterval(() => correlator.reapExited(), REAP_INTERVAL_MS));
    this.timers.push(setInterval(() => {
      correlator.sweep();
      kernel.sweep();
      clock.recalibrate();
    }, HOUSEKEEPING_INTERVAL_MS));
    for (const t of this.timers) t.unref();
    await this.metricsPipeline?.ready;
    const exporters = config.traces?.exporters.map((e) => e.name).join(', ') || 'none';
    const prom = this.metricsPipeline?.prometheusUrls.join(', ');
    log('info', `kspan ${VERSION} ready: sockets${this.tls ? ', tls' : ''}${kernelFamilies.map((f) => `, ${f}`).join('')} families, ${status.attached.length} socket programs attached` +
      `${status.skipped.length ? `, ${status.skipped.length} skipped` : ''}; traces → ${exporters}` +
      `${prom ? `; metrics at ${prom}` : ''} (config: ${config.source})`);
  }

  /** TLS is an addition: if it cannot load, plaintext tracing goes on without it. */
  private startTls(addon: NativeAddon): void {
    this.tls = new TlsReceiver(addon, this.config.kernel, this.log);
    try {
      this.tls.start(this.receiver!.object!);
      this.log('info', `tls: OpenSSL probes in ${this.tls.attachedFiles().length} files`);
      this.kernelMetrics.setTlsFilesSource(() => ({ attached: this.tls?.attachedFiles().length ?? 0, skipped: this.tls?.skippedFiles ?? 0 }));
    } catch (err) {
      this.log('error', `tls family disabled: ${(err as Error).message.split('\n')[0]}`);
      this.tls.stop();
      this.tls = undefined;
    }
  }

  private onSpan(span: KspanSpan): void {
    this.traces?.export(span);
    this.metrics.recordSpan(span);
  }

  private eventCounters(): EventCounterSample[] {
    const c = this.receiver?.counters();
    if (!c) return [];
    const out: EventCounterSample[] = [{ family: 'sockets', received: c.events }];
    out.push({ family: 'sockets', reason: 'ringbuf_full', lost: c.ringbuf_full });
    out.push({ family: 'sockets', reason: 'inflight_map_full', lost: c.inflight_full });
    out.push({ family: 'sockets', reason: 'conn_map_full', lost: c.conn_map_full });
    out.push({ family: 'sockets', reason: 'malformed_record', lost: this.receiver?.decoder.stats.malformed ?? 0 });
    out.push({ family: 'tls', reason: 'connection_unknown', lost: c.tls_unbound + (this.correlator?.stats.unboundTlsDropped ?? 0) });
    out.push({ family: 'export', reason: 'queue_full', lost: this.traces?.droppedSpans ?? 0 });
    out.push(...(this.kernel?.eventCounters() ?? []));
    return out;
  }

  stats(): AgentStats {
    const kernel: Record<string, number> = {};
    const c = this.receiver?.counters();
    for (const name of SOCK_COUNTERS) kernel[name] = c?.[name] ?? 0;
    return {
      kernel,
      decoded: this.receiver?.decoder.stats.records ?? 0,
      malformed: this.receiver?.decoder.stats.malformed ?? 0,
      batches: this.receiver?.batches ?? 0,
      correlator: this.correlator?.stats ?? ({} as HttpCorrelator['stats']),
      exportFailures: this.traces?.exportFailures ?? {},
      exportDropped: this.traces?.droppedSpans ?? 0,
    };
  }

  /** Stops the probes, exports every held span, flushes and closes exporters. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    // Probes off first, then let the consumer threads hand over what the kernel already wrote.
    this.tls?.detach();
    this.kernel?.detach();
    this.receiver?.detach();
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    this.tls?.stop();
    this.kernel?.stop();
    this.receiver?.stop();
    this.correlator?.abandonAll();
    this.correlator?.flush(true);
    await this.traces?.shutdown();
    await this.metricsPipeline?.shutdown();
  }
}

/** Executable selector: basename or full path; empty means every process. */
export function executableFilter(executables: string[]): (p: ProcessIdentity) => boolean {
  if (executables.length === 0) return () => true;
  return (p) => executables.some((e) => e === p.executableName || e === p.executablePath
    || (p.executablePath !== undefined && path.basename(e) === e && path.basename(p.executablePath) === e));
}
