import * as fs from 'fs';
import { BatchRecorder } from '../bpf/BatchRecorder';
import { BpfFamily } from '../bpf/BpfFamily';
import { BpfObject } from '../bpf/BpfObject';
import { NativeAddon, bpfObjectPath } from '../bpf/NativeAddon';
import { MonotonicClock } from '../MonotonicClock';
import { Logger } from '../sockets/SocketsReceiver';
import { DropReasonNames } from './DropReasons';
import { TcpEventDecoder } from './TcpEventDecoder';
import { TcpEventSink } from './types';

/** Counter indexes of tcp_counters (enum kspan_tcp_counter). */
export const TCP_COUNTERS = ['events', 'ringbuf_full', 'retransmits', 'retransmit_failed', 'drops', 'connects'] as const;
export type TcpCounters = Record<(typeof TCP_COUNTERS)[number], number>;

/** drop_counts layout (bpf/include/tcp.h): core reasons, then one slot per subsystem. */
export const DROP_CORE_SLOTS = 256;
export const DROP_SUBSYS_SLOTS = 32;

/** Program → tracepoint; each is independent: a missing one costs only its events. */
const PROGRAMS: Record<string, { tracepoint: string; loses: string }> = {
  tcp_retransmit_skb: { tracepoint: 'tcp/tcp_retransmit_skb', loses: 'retransmit events' },
  inet_sock_set_state: { tracepoint: 'sock/inet_sock_set_state', loses: 'connect events' },
  kfree_skb: { tracepoint: 'skb/kfree_skb', loses: 'drop counters and events' },
};

/** The tracepoints the family uses (for `kspan check`). */
export const TCP_TRACEPOINTS = Object.values(PROGRAMS).map((p) => p.tracepoint);

export interface TcpReceiverOptions {
  /** tcp_events ring buffer size (power of two, page multiple). */
  ringBufferBytes: number;
  /** Events for drops of TCP packets; false keeps only the per-reason counters. */
  dropEvents: boolean;
  /** Override the object file (tests). */
  objectPath?: string;
  /** Debug/fixtures: append every raw batch to this file (BatchRecorder format); default $KSPAN_RECORD_TCP_EVENTS. */
  recordPath?: string;
  tracefs?: string;
}

export const DEFAULT_TCP_OPTIONS: TcpReceiverOptions = {
  ringBufferBytes: 1 << 20,
  dropEvents: true,
};

export interface TcpReceiverStatus {
  attached: string[];
  skipped: Array<{ program: string; reason: string }>;
}

/**
 * The tcp probe family: bpf/tcp.bpf.o on three stable tracepoints
 * (tcp_retransmit_skb, inet_sock_set_state, kfree_skb). Decoded retransmit,
 * connect and drop events go to the sink; drops are also counted by reason
 * in the kernel for every protocol.
 */
export class TcpReceiver extends BpfFamily<(typeof TCP_COUNTERS)[number]> {
  readonly decoder: TcpEventDecoder;
  readonly status: TcpReceiverStatus = { attached: [], skipped: [] };
  readonly reasons: DropReasonNames;
  private readonly options: TcpReceiverOptions;
  batches = 0;

  constructor(
    private readonly addon: NativeAddon,
    clock: MonotonicClock,
    sink: TcpEventSink,
    private readonly log: Logger,
    options: Partial<TcpReceiverOptions> = {},
    reasons?: DropReasonNames,
  ) {
    super('tcp_counters', TCP_COUNTERS);
    this.options = { ...DEFAULT_TCP_OPTIONS, ...options };
    this.reasons = reasons ?? DropReasonNames.fromKernel();
    this.decoder = new TcpEventDecoder(clock, sink, this.reasons);
  }

  start(): TcpReceiverStatus {
    const obj = new BpfObject(this.addon, this.options.objectPath ?? bpfObjectPath('tcp'));
    const tracefs = this.options.tracefs ?? '/sys/kernel/tracing';
    try {
      obj.setU32('self_tgid', process.pid);
      obj.setU8('drop_events', this.options.dropEvents ? 1 : 0);
      obj.setMaxEntries('tcp_events', this.options.ringBufferBytes);
      obj.setRingWakeup(this.options.ringBufferBytes);
      for (const [prog, { tracepoint, loses }] of Object.entries(PROGRAMS)) {
        if (fs.existsSync(`${tracefs}/events/${tracepoint}`)) continue;
        obj.setAutoload(prog, false);
        this.status.skipped.push({ program: prog, reason: `tracepoint ${tracepoint} not in this kernel` });
        this.log('warn', `tcp: ${tracepoint} missing; no ${loses}`);
      }
      obj.load();
    } catch (err) {
      obj.close();
      throw err;
    }
    this.obj = obj;
    for (const p of obj.programs()) {
      if (!p.autoload) continue;
      const r = obj.attach(p.name);
      if (r.attached) this.status.attached.push(p.name);
      else {
        this.status.skipped.push({ program: p.name, reason: r.error ?? 'attach failed' });
        this.log('warn', `tcp: cannot attach ${p.name} (${r.error}); no ${PROGRAMS[p.name]?.loses ?? 'events'}`);
      }
    }
    if (this.status.attached.length === 0) {
      this.stop();
      throw new Error(`tcp: no program attached: ${this.status.skipped.map((s) => `${s.program}: ${s.reason}`).join('; ')}`);
    }
    const recordPath = this.options.recordPath ?? process.env.KSPAN_RECORD_TCP_EVENTS;
    const record = recordPath ? new BatchRecorder(recordPath) : undefined;
    obj.startRingBuffer('tcp_events', (batch) => {
      this.batches++;
      record?.write(batch);
      this.decoder.decodeBatch(batch);
    });
    if (this.reasons.source === 'none') this.log('warn', 'tcp: drop reason names unavailable (no BTF, no tracefs format); reporting numbers');
    return this.status;
  }

  /**
   * Packets dropped since load, by reason name ('NETFILTER_DROP', 'NO_SOCKET',
   * ..., 'SUBSYS_OPENVSWITCH' for a subsystem's own reasons), all protocols.
   * Only reasons seen at least once are present.
   */
  dropCounters(): Map<string, number> {
    const out = new Map<string, number>();
    if (!this.obj) return out;
    const values = this.obj.readPerCpuCounters('drop_counts', DROP_CORE_SLOTS + DROP_SUBSYS_SLOTS);
    values.forEach((n, slot) => {
      if (n === 0) return;
      const name = slot < DROP_CORE_SLOTS ? this.reasons.name(slot) : this.reasons.subsystemName(slot - DROP_CORE_SLOTS);
      out.set(name, (out.get(name) ?? 0) + n);
    });
    return out;
  }


  /** Records the kernel could not write (ring buffer full) plus records that failed to decode. */
  lostEvents(): number {
    return this.counters().ringbuf_full + this.decoder.stats.malformed;
  }

}
