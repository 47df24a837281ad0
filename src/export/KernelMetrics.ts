import { ValueType, createNoopMeter } from '@opentelemetry/api';
import type { Counter, Histogram, Meter, ObservableCounter } from '@opentelemetry/api';

/** Connect-duration buckets, seconds: loopback (tens of µs) to SYN retries (1 s, 3 s). */
export const CONNECT_DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5];

export type DropCountersSource = () => Map<string, number>;

/** kernel.tcp.* instruments (kernel.runqueue.latency comes from KernelHistogramProducer). */
export class KernelMetrics {
  private readonly retransmits: Counter;
  private readonly connectDuration: Histogram;
  private readonly drops: ObservableCounter;
  private dropSource: DropCountersSource | undefined;
  private tlsSource: (() => { attached: number; skipped: number }) | undefined;

  constructor(meter: Meter = createNoopMeter()) {
    this.retransmits = meter.createCounter('kernel.tcp.retransmits', {
      description: 'TCP segments retransmitted, by local service and peer', unit: '{segment}', valueType: ValueType.INT,
    });
    this.connectDuration = meter.createHistogram('kernel.tcp.connect.duration', {
      description: 'Outgoing TCP connects: SYN sent to ESTABLISHED (or failure)', unit: 's',
      advice: { explicitBucketBoundaries: CONNECT_DURATION_BUCKETS },
    });
    this.drops = meter.createObservableCounter('kernel.tcp.drops', {
      description: 'Packets of TCP connections the kernel dropped, by drop reason (all processes)', unit: '{packet}', valueType: ValueType.INT,
    });
    this.drops.addCallback((result) => {
      for (const [reason, count] of this.dropSource?.() ?? []) result.observe(count, { 'kernel.drop.reason': reason });
    });
    meter.createObservableGauge('kspan.tls.files', {
      description: 'Files with OpenSSL kspan probes (attached) or had to skip (unknown version, symbols missing)', unit: '{file}', valueType: ValueType.INT,
    }).addCallback((result) => {
      const t = this.tlsSource?.();
      if (!t) return;
      result.observe(t.attached, { state: 'attached' });
      result.observe(t.skipped, { state: 'skipped' });
    });
  }

  setTlsFilesSource(source: (() => { attached: number; skipped: number }) | undefined): void {
    this.tlsSource = source;
  }

  setDropSource(source: DropCountersSource | undefined): void {
    this.dropSource = source;
  }

  recordRetransmit(service: string, peerAddress: string, peerPort: number): void {
    this.retransmits.add(1, { 'service.name': service, 'network.peer.address': peerAddress, 'network.peer.port': peerPort });
  }

  recordConnect(service: string, seconds: number, failed: boolean, error: string): void {
    this.connectDuration.record(seconds, failed
      ? { 'service.name': service, 'error.type': error || 'connect_failed' }
      : { 'service.name': service });
  }
}
