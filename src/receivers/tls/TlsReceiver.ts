import * as fs from 'fs';
import { KernelReceiverConfig } from '../../config/types';
import { BpfObject } from '../bpf/BpfObject';
import { NativeAddon, bpfObjectPath } from '../bpf/NativeAddon';
import { Logger } from '../sockets/SocketsReceiver';
import { ProcessExecEvent } from '../sockets/types';
import { mentionsSslWrite, SslCandidate, SslLibraryScanner } from './SslLibraryScanner';

/** Maps the tls object shares with the sockets object (bpf/include/sockets_maps.h). */
const SHARED_MAPS = ['sock_events', 'conns', 'arrivals', 'tls_arrivals', 'sock_counters', 'tls_calls', 'ssl_conns', 'tls_last_read', 'tls_pending_bind'];

/** Program → OpenSSL functions it is attached to. */
const PROBES: Array<{ program: string; functions: string[]; retprobe: boolean; required: boolean }> = [
  { program: 'ssl_read_enter', functions: ['SSL_read'], retprobe: false, required: true },
  { program: 'ssl_write_enter', functions: ['SSL_write'], retprobe: false, required: true },
  { program: 'ssl_rw_exit', functions: ['SSL_read', 'SSL_write'], retprobe: true, required: true },
  { program: 'ssl_read_ex_enter', functions: ['SSL_read_ex'], retprobe: false, required: false },
  { program: 'ssl_write_ex_enter', functions: ['SSL_write_ex'], retprobe: false, required: false },
  { program: 'ssl_rw_exit', functions: ['SSL_read_ex', 'SSL_write_ex'], retprobe: true, required: false },
  { program: 'ssl_free_enter', functions: ['SSL_free'], retprobe: false, required: false },
];

/** Rescans catch libssl loaded later with dlopen (python imports ssl lazily). */
const EXEC_RESCAN_DELAYS_MS = [50, 500, 2000];
const PERIODIC_RESCAN_MS = 10_000;

export interface TlsFileStatus {
  path: string;
  kind: SslCandidate['kind'];
  attached: boolean;
  reason?: string;
}

/**
 * The tls probe family: uprobes on SSL_read/SSL_write(_ex) in every OpenSSL
 * found on the host, attached once per file (a thousand processes sharing
 * libssl cost one attach). Plaintext lands in the sockets ring buffer.
 */
export class TlsReceiver {
  private obj: BpfObject | undefined;
  private readonly scanner = new SslLibraryScanner();
  /** fileId → outcome; negative outcomes are kept so a file is tried once. */
  readonly files = new Map<string, TlsFileStatus>();
  private timers: NodeJS.Timeout[] = [];
  skippedFiles = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly config: KernelReceiverConfig,
    private readonly log: Logger,
  ) {}

  start(sockets: BpfObject): void {
    const obj = new BpfObject(this.addon, bpfObjectPath('tls'));
    this.obj = obj;
    try {
      obj.setU32('self_tgid', process.pid);
      obj.setU32('payload_bytes', this.config.payloadBytes);
      obj.setRingWakeup(this.config.ringBufferBytes); // it writes into the sockets ring
      for (const m of SHARED_MAPS) obj.reuseMap(m, sockets);
      obj.load();
    } catch (err) {
      this.stop();
      throw err;
    }
    const exec = obj.attach('proc_exec');
    if (!exec.attached) this.log('warn', `tls: no exec notifications (${exec.error}); new programs are found by periodic rescans`);
    for (const c of this.scanner.systemLibraries()) this.files.set(c.fileId, this.attachFile(c));
    this.scanAll();
    const t = setInterval(() => this.scanAll(), PERIODIC_RESCAN_MS);
    t.unref();
    this.timers.push(t);
  }

  /** A process exec'd: look at it now and again once its libraries are loaded. */
  onExec(ev: ProcessExecEvent): void {
    for (const delay of EXEC_RESCAN_DELAYS_MS) {
      const t = setTimeout(() => this.scanPid(ev.tgid), delay);
      t.unref();
    }
  }

  scanAll(): void {
    for (const pid of this.scanner.pids()) if (pid !== process.pid) this.scanPid(pid);
  }

  scanPid(pid: number): void {
    if (!this.obj) return;
    const candidates = this.scanner.candidates(pid);
    // An executable that maps libssl.so only imports SSL_* (wrk, nginx): the library is what to probe.
    const usesLibssl = candidates.some((c) => c.kind === 'libssl');
    for (const c of candidates) {
      if (this.files.has(c.fileId)) continue;
      if (c.kind === 'executable' && usesLibssl) {
        this.files.set(c.fileId, { path: c.path, kind: c.kind, attached: false, reason: 'uses libssl.so' });
        continue;
      }
      if (c.kind === 'executable' && !mentionsSslWrite(c.path)) {
        this.files.set(c.fileId, { path: c.path, kind: c.kind, attached: false, reason: 'no SSL_write symbol' });
        continue;
      }
      const status = this.attachFile(c);
      // A file that vanished with its process (its /proc/<pid>/root path) is tried again when seen next.
      if (status.attached || fs.existsSync(c.path)) this.files.set(c.fileId, status);
    }
  }

  private attachFile(c: SslCandidate): TlsFileStatus {
    const obj = this.obj!;
    const missing: string[] = [];
    for (const p of PROBES) {
      for (const fn of p.functions) {
        const r = obj.attachUprobe(p.program, c.path, fn, p.retprobe);
        if (!r.attached && p.required) missing.push(`${fn}: ${r.error}`);
      }
    }
    if (missing.length > 0) {
      const reason = `OpenSSL functions missing or not attachable (${missing[0]})`;
      this.skippedFiles++;
      this.log('warn', `tls: skipping ${c.path} (pid ${c.pid}): ${reason}`);
      return { path: c.path, kind: c.kind, attached: false, reason };
    }
    this.log('info', `tls: tracing OpenSSL in ${c.path} (${c.kind}, first seen in pid ${c.pid})`);
    return { path: c.path, kind: c.kind, attached: true };
  }

  attachedFiles(): string[] {
    return [...this.files.values()].filter((f) => f.attached).map((f) => f.path);
  }

  /** Stops the probes; records already written can still be drained before stop(). */
  detach(): void {
    this.obj?.detach();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.obj?.close();
    this.obj = undefined;
  }
}
