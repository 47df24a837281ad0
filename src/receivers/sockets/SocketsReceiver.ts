import * as fs from 'fs';
import { KernelReceiverConfig } from '../../config/types';
import { BpfFamily } from '../bpf/BpfFamily';
import { BpfObject } from '../bpf/BpfObject';
import { NativeAddon, bpfObjectPath } from '../bpf/NativeAddon';
import { MonotonicClock } from '../MonotonicClock';
import { BatchRecorder } from '../bpf/BatchRecorder';
import { SocketEventDecoder } from './SocketEventDecoder';
import { SocketEventSink } from './types';

/** Counter indexes of sock_counters (enum kspan_sock_counter). */
export const SOCK_COUNTERS = ['events', 'ringbuf_full', 'inflight_full', 'conn_map_full', 'ignored_conns', 'tls_unbound'] as const;

/** Tracepoints the family can live without (with a documented loss). */
const OPTIONAL_PROGRAMS: Record<string, string> = {
  sk_data_ready: 'sock/sk_data_ready',
  enter_sendfile64: 'syscalls/sys_enter_sendfile64',
  exit_sendfile64: 'syscalls/sys_exit_sendfile64',
};

export interface SocketsReceiverStatus {
  attached: string[];
  skipped: Array<{ program: string; reason: string }>;
}

export type Logger = (level: 'error' | 'warn' | 'info' | 'debug', msg: string) => void;

/**
 * The sockets probe family: loads bpf/sockets.bpf.o with the configured knobs,
 * attaches its tracepoints and streams decoded events to a sink.
 */
export class SocketsReceiver extends BpfFamily<(typeof SOCK_COUNTERS)[number]> {

  /** The loaded object: the tls family shares its maps. */
  get object(): BpfObject | undefined {
    return this.obj;
  }
  readonly decoder: SocketEventDecoder;
  readonly status: SocketsReceiverStatus = { attached: [], skipped: [] };
  batches = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly config: KernelReceiverConfig,
    clock: MonotonicClock,
    sink: SocketEventSink,
    private readonly log: Logger,
    private readonly tracefs = '/sys/kernel/tracing',
    /** Debug: append every raw batch to this file (replayable with BatchRecorder.read). */
    private readonly recordPath = process.env.KSPAN_RECORD_SOCKET_EVENTS,
  ) {
    super('sock_counters', SOCK_COUNTERS);
    this.decoder = new SocketEventDecoder(clock, sink);
  }

  start(): SocketsReceiverStatus {
    const obj = new BpfObject(this.addon, bpfObjectPath('sockets'));
    this.obj = obj;
    try {
      this.configure(obj);
      obj.load();
    } catch (err) {
      obj.close();
      this.obj = undefined;
      throw err;
    }
    this.fillFilters(obj);
    for (const p of obj.programs()) {
      if (!p.autoload) continue;
      const r = obj.attach(p.name);
      if (r.attached) this.status.attached.push(p.name);
      else this.status.skipped.push({ program: p.name, reason: r.error ?? 'attach failed' });
    }
    const required = this.status.skipped.filter((s) => !(s.program in OPTIONAL_PROGRAMS));
    if (required.length > 0) {
      this.stop();
      throw new Error(`sockets: cannot attach ${required[0].program}: ${required[0].reason}`);
    }
    const record = this.recordPath ? new BatchRecorder(this.recordPath) : undefined;
    obj.startRingBuffer('sock_events', (batch) => {
      this.batches++;
      record?.write(batch);
      this.decoder.decodeBatch(batch);
    });
    return this.status;
  }

  private configure(obj: BpfObject): void {
    const d = this.config.discovery;
    obj.setU32('self_tgid', process.pid);
    obj.setU8('filter_pids', d.pids.length > 0 ? 1 : 0);
    obj.setU8('filter_ports', d.ports.length > 0 ? 1 : 0);
    obj.setU32('payload_bytes', this.config.payloadBytes);
    obj.setMaxEntries('sock_events', this.config.ringBufferBytes);
    obj.setRingWakeup(this.config.ringBufferBytes);
    for (const [prog, tp] of Object.entries(OPTIONAL_PROGRAMS)) {
      if (!fs.existsSync(`${this.tracefs}/events/${tp}`)) {
        obj.setAutoload(prog, false);
        this.status.skipped.push({ program: prog, reason: `tracepoint ${tp} not in this kernel` });
        this.log('warn', `sockets: ${tp} missing; ${prog === 'sk_data_ready'
          ? 'SERVER spans start at the first read instead of the arrival of the request'
          : 'sendfile bodies are not seen'}`);
      }
    }
  }

  private fillFilters(obj: BpfObject): void {
    const one = Buffer.from([1]);
    for (const pid of this.config.discovery.pids) {
      const k = Buffer.alloc(4);
      k.writeUInt32LE(pid);
      obj.update('traced_pids', k, one);
    }
    for (const port of this.config.discovery.ports) {
      const k = Buffer.alloc(2);
      k.writeUInt16LE(port);
      obj.update('traced_ports', k, one);
    }
  }

  /** Adds a pid to the kernel filter (used when executables select processes). */
  tracePid(pid: number): void {
    if (!this.obj) return;
    const k = Buffer.alloc(4);
    k.writeUInt32LE(pid);
    this.obj.update('traced_pids', k, Buffer.from([1]));
  }


  mapMemoryBytes(): number {
    if (!this.obj) return 0;
    let total = 0;
    for (const m of this.obj.maps()) total += m.maxEntries * Math.max(m.valueSize, 1);
    return total;
  }

}
