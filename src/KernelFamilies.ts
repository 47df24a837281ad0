import { KernelReceiverConfig } from './config/types';
import { HttpCorrelator } from './correlate/HttpCorrelator';
import { KernelAttributor } from './correlate/kernel/KernelAttributor';
import type { EventCounterSample, KernelHistogramSample, KernelMetrics } from './export';
import { Logger } from './log';
import { NativeAddon } from './receivers/bpf/NativeAddon';
import { MonotonicClock } from './receivers/MonotonicClock';
import { ProcessResolver } from './receivers/process/ProcessResolver';
import { SchedReceiver } from './receivers/sched/SchedReceiver';
import { TcpReceiver } from './receivers/tcp/TcpReceiver';
import { TcpConnectEvent, TcpDropEvent, TcpEventSink, TcpRetransmitEvent } from './receivers/tcp/types';

/**
 * The sched and tcp probe families and what they feed: child spans through
 * the KernelAttributor, kernel.* metrics. Each family is optional: one that
 * cannot load is logged and the rest keeps running.
 */
export class KernelFamilies {
  readonly attributor: KernelAttributor;
  private sched: SchedReceiver | undefined;
  private tcp: TcpReceiver | undefined;

  constructor(
    private readonly config: KernelReceiverConfig,
    private readonly clock: MonotonicClock,
    private readonly log: Logger,
  ) {
    this.attributor = new KernelAttributor(clock, { socketWaitThresholdNs: config.socketWaitThresholdNs });
  }

  start(addon: NativeAddon, correlator: () => HttpCorrelator | undefined, processes: ProcessResolver, metrics: KernelMetrics): string[] {
    const started: string[] = [];
    if (this.config.families.sched) {
      try {
        this.sched = new SchedReceiver(addon, this.clock, this.attributor, this.log, { minWaitNs: this.config.runqueueThresholdNs });
        const s = this.sched.start();
        this.attributor.setWatcher(this.sched);
        started.push(`sched (${s.variant})`);
      } catch (err) {
        this.sched = undefined;
        this.log('error', `sched family disabled: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    if (this.config.families.tcp) {
      const serviceOf = (key: string) => correlator()?.processOfTuple(key)?.serviceName ?? 'unknown';
      const sink: TcpEventSink = {
        onRetransmit: (ev: TcpRetransmitEvent) => {
          this.attributor.onRetransmit(ev);
          metrics.recordRetransmit(serviceOf(tuple(ev)), ev.remoteAddress, ev.remotePort);
        },
        onConnect: (ev: TcpConnectEvent) => {
          this.attributor.onConnect(ev);
          const service = correlator()?.processOfTuple(tuple(ev))?.serviceName ?? (ev.tgid ? processes.resolve(ev.tgid).serviceName : 'unknown');
          metrics.recordConnect(service, ev.durationNs / 1e9, ev.failed, ev.error);
        },
        onDrop: (ev: TcpDropEvent) => this.attributor.onDrop(ev),
      };
      try {
        this.tcp = new TcpReceiver(addon, this.clock, sink, this.log);
        this.tcp.start();
        metrics.setDropSource(() => this.tcp?.dropCounters() ?? new Map());
        started.push('tcp');
      } catch (err) {
        this.tcp = undefined;
        this.log('error', `tcp family disabled: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    return started;
  }

  /** kernel.runqueue.latency per service, from the in-kernel per-process histograms. */
  runqueueHistograms(processes: ProcessResolver): KernelHistogramSample[] {
    if (!this.sched) return [];
    const out: KernelHistogramSample[] = [];
    for (const [pid, h] of this.sched.readHistograms()) {
      out.push({
        pid,
        attributes: { 'service.name': processes.resolve(pid).serviceName },
        boundsSeconds: h.bounds,
        counts: h.counts,
        sumSeconds: h.sumNs / 1e9,
      });
    }
    return out;
  }

  eventCounters(): EventCounterSample[] {
    const out: EventCounterSample[] = [];
    if (this.sched) {
      const c = this.sched.counters();
      out.push({ family: 'sched', received: c.events }, { family: 'sched', reason: 'ringbuf_full', lost: this.sched.lostEvents() });
    }
    if (this.tcp) {
      const c = this.tcp.counters();
      out.push({ family: 'tcp', received: c.events }, { family: 'tcp', reason: 'ringbuf_full', lost: this.tcp.lostEvents() });
    }
    return out;
  }

  sweep(): void {
    this.attributor.sweep(this.clock.now());
  }

  detach(): void {
    this.sched?.detach();
    this.tcp?.detach();
  }

  stop(): void {
    this.attributor.setWatcher(undefined);
    this.sched?.stop();
    this.tcp?.stop();
    this.sched = this.tcp = undefined;
  }
}

function tuple(t: { localAddress: string; localPort: number; remoteAddress: string; remotePort: number }): string {
  return `${t.localAddress}:${t.localPort}>${t.remoteAddress}:${t.remotePort}`;
}
