import * as fs from 'fs';
import { BatchRecorder } from '../bpf/BatchRecorder';
import { BpfFamily } from '../bpf/BpfFamily';
import { BpfObject } from '../bpf/BpfObject';
import { NativeAddon, ObjectHandle, bpfObjectPath } from '../bpf/NativeAddon';
import { MonotonicClock } from '../MonotonicClock';
import { Logger } from '../sockets/SocketsReceiver';
import { decodeSchedHistogram, SchedEventDecoder } from './SchedEventDecoder';
import { RunqueueHistogram, SchedEventSink } from './types';

/** Counter indexes of sched_counters (enum kspan_sched_counter). */
export const SCHED_COUNTERS = ['events', 'ringbuf_full', 'waits'] as const;
export type SchedCounters = Record<(typeof SCHED_COUNTERS)[number], number>;

export type SchedVariant = 'tp_btf' | 'raw_tp';

/** Each hook is compiled as both variants; the suffix names the variant. */
const HOOKS = ['sched_wakeup', 'sched_wakeup_new', 'sched_switch'] as const;
const SUFFIX: Record<SchedVariant, string> = { tp_btf: '_btf', raw_tp: '_raw' };

export interface SchedReceiverOptions {
  /** Events only for waits at least this long (ns); histograms take every wait. */
  minWaitNs: number;
  /** sched_events ring buffer size (power of two, page multiple). */
  ringBufferBytes: number;
  /** Force a variant instead of probing (tests, `kspan check`). */
  variant?: SchedVariant;
  /** Override the object file (tests). */
  objectPath?: string;
  /** Debug/fixtures: append every raw batch to this file (BatchRecorder format); default $KSPAN_RECORD_SCHED_EVENTS. */
  recordPath?: string;
}

export const DEFAULT_SCHED_OPTIONS: SchedReceiverOptions = {
  minWaitNs: 100_000,
  ringBufferBytes: 1 << 20,
};

export interface SchedReceiverStatus {
  variant: SchedVariant | undefined;
  attached: string[];
  skipped: Array<{ program: string; reason: string }>;
}

/** Addon capability not every build has: bpf_map_get_next_key (null key = first). */
type MapNextKey = (h: ObjectHandle, map: string, key: Buffer | null) => Buffer | null;

/**
 * The sched probe family: runqueue waits measured in the kernel. Loads
 * bpf/sched.bpf.o with the tp_btf programs when the kernel can attach them
 * (NativeAddon.probeFeatures().tpBtf), else the raw_tp ones; watched
 * threads' long waits stream to the sink, every process's waits accumulate
 * in kernel histograms read with readHistograms().
 */
export class SchedReceiver extends BpfFamily<(typeof SCHED_COUNTERS)[number]> {
  readonly decoder: SchedEventDecoder;
  readonly status: SchedReceiverStatus = { variant: undefined, attached: [], skipped: [] };
  private readonly options: SchedReceiverOptions;
  batches = 0;
  /** watchThread calls the kernel map refused (should stay 0: the map is LRU). */
  watchFailures = 0;

  constructor(
    private readonly addon: NativeAddon,
    clock: MonotonicClock,
    sink: SchedEventSink,
    private readonly log: Logger,
    options: Partial<SchedReceiverOptions> = {},
  ) {
    super('sched_counters', SCHED_COUNTERS);
    this.options = { ...DEFAULT_SCHED_OPTIONS, ...options };
    this.decoder = new SchedEventDecoder(clock, sink);
  }

  /** Which variant the kernel supports, and why. */
  chooseVariant(): { variant: SchedVariant; reason: string } {
    if (this.options.variant) return { variant: this.options.variant, reason: 'configured' };
    const f = this.addon.probeFeatures();
    if (f.tpBtf) return { variant: 'tp_btf', reason: 'tp_btf attach probe succeeded' };
    return { variant: 'raw_tp', reason: f.btf ? 'tp_btf not attachable on this kernel' : 'no kernel BTF for tp_btf' };
  }

  start(): SchedReceiverStatus {
    const choice = this.chooseVariant();
    let obj: BpfObject;
    try {
      obj = this.open(choice.variant);
    } catch (err) {
      if (choice.variant !== 'tp_btf' || this.options.variant) throw err;
      // tp_btf probed fine but this object's programs did not load: raw_tp does the same job.
      this.log('warn', `sched: tp_btf programs did not load (${(err as Error).message.split('\n')[0]}); using raw_tp`);
      obj = this.open('raw_tp');
    }
    this.obj = obj;
    const variant = this.status.variant!;
    for (const hook of HOOKS) {
      const r = obj.attach(hook + SUFFIX[variant]);
      if (r.attached) this.status.attached.push(r.program);
      else this.status.skipped.push({ program: r.program, reason: r.error ?? 'attach failed' });
    }
    const failed = this.status.skipped.find((s) => s.program.endsWith(SUFFIX[variant]));
    if (failed) {
      this.stop();
      throw new Error(`sched: cannot attach ${failed.program}: ${failed.reason}`);
    }
    const recordPath = this.options.recordPath ?? process.env.KSPAN_RECORD_SCHED_EVENTS;
    const record = recordPath ? new BatchRecorder(recordPath) : undefined;
    obj.startRingBuffer('sched_events', (batch) => {
      this.batches++;
      record?.write(batch);
      this.decoder.decodeBatch(batch);
    });
    this.log('debug', `sched: ${variant} (${choice.reason}), events for waits >= ${this.options.minWaitNs} ns`);
    return this.status;
  }

  private open(variant: SchedVariant): BpfObject {
    const obj = new BpfObject(this.addon, this.options.objectPath ?? bpfObjectPath('sched'));
    const other: SchedVariant = variant === 'tp_btf' ? 'raw_tp' : 'tp_btf';
    const skipped: Array<{ program: string; reason: string }> = [];
    try {
      obj.setU32('self_tgid', process.pid);
      const minWait = Buffer.alloc(8);
      minWait.writeBigUInt64LE(BigInt(Math.max(0, Math.round(this.options.minWaitNs))));
      this.addon.setRodata(obj.handle, 'min_wait_ns', minWait);
      obj.setMaxEntries('sched_events', this.options.ringBufferBytes);
      obj.setRingWakeup(this.options.ringBufferBytes);
      for (const hook of HOOKS) {
        obj.setAutoload(hook + SUFFIX[other], false);
        skipped.push({ program: hook + SUFFIX[other], reason: `${variant} variant used instead` });
      }
      obj.load();
    } catch (err) {
      obj.close();
      throw err;
    }
    this.status.variant = variant;
    this.status.skipped = skipped;
    return obj;
  }

  private static tidKey(tid: number): Buffer {
    const k = Buffer.alloc(4);
    k.writeUInt32LE(tid >>> 0);
    return k;
  }

  /** Events for this thread's waits from now on (it serves or makes a traced request). */
  watchThread(tid: number): boolean {
    if (!this.obj) return false;
    try {
      this.obj.update('watched_tids', SchedReceiver.tidKey(tid), Buffer.from([1]));
      return true;
    } catch {
      this.watchFailures++;
      return false;
    }
  }

  /** Stops events for the thread; true if it was watched. */
  unwatchThread(tid: number): boolean {
    if (!this.obj) return false;
    return this.obj.delete('watched_tids', SchedReceiver.tidKey(tid));
  }

  /**
   * Cumulative runqueue-latency histograms by tgid (bounds documented on
   * RunqueueHistogram). The map is enumerated when the addon can
   * (mapNextKey); otherwise the given tgids, or every process in /proc, are
   * looked up — processes that exited since are then missed.
   */
  readHistograms(tgids?: Iterable<number>): Map<number, RunqueueHistogram> {
    const out = new Map<number, RunqueueHistogram>();
    const obj = this.obj;
    if (!obj) return out;
    const read = (key: Buffer) => {
      const v = obj.lookup('proc_hists', key);
      if (v) out.set(key.readUInt32LE(0), decodeSchedHistogram(v));
    };
    const nextKey = (this.addon as NativeAddon & { mapNextKey?: MapNextKey }).mapNextKey;
    if (!tgids && typeof nextKey === 'function') {
      const seen = new Set<number>();
      for (let key = nextKey.call(this.addon, obj.handle, 'proc_hists', null); key; key = nextKey.call(this.addon, obj.handle, 'proc_hists', key)) {
        const tgid = key.readUInt32LE(0);
        if (seen.has(tgid)) break; // restarted after a concurrent eviction
        seen.add(tgid);
        read(key);
      }
      return out;
    }
    for (const tgid of tgids ?? procTgids()) read(SchedReceiver.tidKey(tgid));
    return out;
  }


  /** Records the kernel could not write (ring buffer full) plus records that failed to decode. */
  lostEvents(): number {
    return this.counters().ringbuf_full + this.decoder.stats.malformed;
  }

}

function procTgids(): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const n = Number(name);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}
