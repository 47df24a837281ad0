import { NativeAddon, ObjectHandle, ProgramInfo, MapInfo } from './NativeAddon';

export interface AttachResult {
  program: string;
  attached: boolean;
  error?: string;
}

/**
 * One BPF object file: knobs and autoload set before load(), then attach.
 * A program that fails to attach is reported, not fatal: the family decides.
 */
export class BpfObject {
  /** @internal the addon handle, for map sharing between objects */
  readonly handle: ObjectHandle;
  private closed = false;

  constructor(private readonly addon: NativeAddon, readonly objectPath: string) {
    this.handle = addon.open(objectPath);
  }

  programs(): ProgramInfo[] {
    return this.addon.programs(this.handle);
  }

  maps(): MapInfo[] {
    return this.addon.maps(this.handle);
  }

  setU32(variable: string, value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    this.addon.setRodata(this.handle, variable, b);
  }

  setU64(variable: string, value: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.addon.setRodata(this.handle, variable, b);
  }

  /**
   * Records are submitted without waking the consumer, which drains on a
   * timer (native/src/ringbuf.c); it is woken early only once a quarter of the
   * ring is waiting, so a burst cannot fill it between two drains.
   */
  setRingWakeup(ringBytes: number): void {
    this.setU64('wakeup_bytes', Math.max(1, Math.floor(ringBytes / 4)));
  }

  setU8(variable: string, value: number): void {
    this.addon.setRodata(this.handle, variable, Buffer.from([value & 0xff]));
  }

  setAutoload(program: string, on: boolean): void {
    this.addon.setAutoload(this.handle, program, on);
  }

  setMaxEntries(map: string, entries: number): void {
    this.addon.setMaxEntries(this.handle, map, entries);
  }

  /** Loads; a transient EAGAIN from the kernel (seen under heavy concurrent loading) is retried. */
  load(): void {
    for (let attempt = 1; ; attempt++) {
      try {
        this.addon.load(this.handle);
        return;
      } catch (err) {
        if ((err as { errno?: number }).errno !== 11 || attempt >= 3) throw err;
      }
    }
  }

  attach(program: string): AttachResult {
    try {
      this.addon.attach(this.handle, program);
      return { program, attached: true };
    } catch (err) {
      return { program, attached: false, error: (err as Error).message.split('\n')[0] };
    }
  }

  /** Uprobe on funcName in every process mapping binaryPath. */
  attachUprobe(program: string, binaryPath: string, funcName: string, retprobe: boolean): AttachResult {
    try {
      this.addon.attachUprobe(this.handle, program, binaryPath, funcName, retprobe);
      return { program, attached: true };
    } catch (err) {
      return { program, attached: false, error: (err as Error).message.split('\n')[0] };
    }
  }

  /** Before load: make `map` the same kernel map as `fromMap` of a loaded object. */
  reuseMap(map: string, from: BpfObject, fromMap = map): void {
    this.addon.reuseMap(this.handle, map, from.handle, fromMap);
  }

  lookup(map: string, key: Buffer): Buffer | null {
    return this.addon.mapLookup(this.handle, map, key);
  }

  update(map: string, key: Buffer, value: Buffer): void {
    this.addon.mapUpdate(this.handle, map, key, value);
  }

  delete(map: string, key: Buffer): boolean {
    return this.addon.mapDelete(this.handle, map, key);
  }

  /** Sums a per-CPU array of u64 counters: index → total. */
  readPerCpuCounters(map: string, count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(i);
      const v = this.lookup(map, key);
      let sum = 0;
      if (v) for (let off = 0; off + 8 <= v.length; off += 8) sum += Number(v.readBigUInt64LE(off));
      out.push(sum);
    }
    return out;
  }

  /**
   * Batches are acknowledged from setImmediate, once the event loop has run
   * its timers and I/O: the consumer hands over no more until then, so a
   * flood of kernel events cannot starve span export (native/src/ringbuf.c).
   */
  startRingBuffer(map: string, onBatch: (batch: Buffer, records: number) => void): void {
    const ready = (): void => {
      if (!this.closed) this.addon.ringBufferReady(this.handle, index);
    };
    const index = this.addon.startRingBuffer(this.handle, map, (batch, records) => {
      try {
        onBatch(batch, records);
      } finally {
        setImmediate(ready);
      }
    });
  }

  /** Removes the probes; maps and ring buffers stay so pending records can still be drained. */
  detach(): void {
    if (!this.closed) this.addon.detach(this.handle);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.handle);
  }
}

/**
 * A per-CPU counters map as { name: total } (names in index order). The last
 * totals read outlive the object: read once more just before close(), they
 * are what the final stats line and the final metrics export report.
 */
export class NamedCounters<N extends string> {
  private last: Record<N, number>;

  constructor(private readonly map: string, private readonly names: readonly N[]) {
    this.last = this.totals([]);
  }

  /** Current totals while `obj` is loaded; the last ones read once it is gone. */
  read(obj: BpfObject | undefined): Record<N, number> {
    if (obj) this.last = this.totals(obj.readPerCpuCounters(this.map, this.names.length));
    return this.last;
  }

  private totals(values: number[]): Record<N, number> {
    const out = {} as Record<N, number>;
    this.names.forEach((name, i) => (out[name] = values[i] ?? 0));
    return out;
  }
}
