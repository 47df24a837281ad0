import { BatchDecoder } from '../bpf/BatchDecoder';
import { MonotonicClock } from '../MonotonicClock';
import {
  ConnRole, Direction, ProcessExecEvent, SockCloseEvent, SockDataEvent, SockOpenEvent, SocketEventSink,
  SYS_SSL_READ, TlsBindEvent,
} from './types';
import { formatAddress } from './address';

/* Offsets mirror bpf/include/sockets.h. */
const EV_OPEN = 1;
const EV_DATA = 2;
const EV_CLOSE = 3;
const EV_TLS_BIND = 4;
const EV_EXEC = 5;
const OPEN_SIZE = 88;
const DATA_HEADER = 88;
const CLOSE_SIZE = 32;
const TLS_BIND_SIZE = 40;
const EXEC_SIZE = 32;

/**
 * Walks a batch from the native ring-buffer consumer and hands each record to
 * the sink. Data events reuse one object and payloads are views into the
 * batch: no per-record allocation beyond what the sink keeps.
 */
export class SocketEventDecoder extends BatchDecoder {
  private readonly data: SockDataEvent = {
    direction: Direction.Egress, syscall: 0, tgid: 0, tid: 0, fd: 0, connId: 0n,
    enterTs: 0, exitTs: 0, arrivalTs: 0, wireLength: 0, payload: new Uint8Array(0), tail: undefined, ssl: undefined,
  };

  constructor(private readonly clock: MonotonicClock, private readonly sink: SocketEventSink) {
    super();
  }

  protected decodeRecord(batch: Buffer, v: DataView, o: number, size: number): boolean {
    switch (v.getUint8(o)) {
      case EV_OPEN:
        if (size < OPEN_SIZE) break;
        this.sink.onOpen(this.decodeOpen(batch, v, o));
        return true;
      case EV_DATA:
        if (size < DATA_HEADER) break;
        this.sink.onData(this.decodeData(batch, v, o, size));
        return true;
      case EV_CLOSE:
        if (size < CLOSE_SIZE) break;
        this.sink.onClose(this.decodeClose(v, o));
        return true;
      case EV_TLS_BIND:
        if (size < TLS_BIND_SIZE) break;
        this.sink.onTlsBind?.(this.decodeTlsBind(batch, v, o));
        return true;
      case EV_EXEC:
        if (size < EXEC_SIZE) break;
        this.sink.onExec?.(this.decodeExec(batch, v, o));
        return true;
    }
    return false;
  }

  private decodeOpen(batch: Buffer, v: DataView, o: number): SockOpenEvent {
    const family = v.getUint16(o + 2, true);
    const commEnd = batch.indexOf(0, o + 72);
    return {
      role: v.getUint8(o + 1) as ConnRole,
      localPort: v.getUint16(o + 4, true),
      remotePort: v.getUint16(o + 6, true),
      tgid: v.getUint32(o + 8, true),
      tid: v.getUint32(o + 12, true),
      connId: v.getBigUint64(o + 16, true),
      ts: this.clock.rel(v.getUint32(o + 28, true), v.getUint32(o + 24, true)),
      localAddress: formatAddress(family, batch, o + 32),
      remoteAddress: formatAddress(family, batch, o + 48),
      fd: v.getInt32(o + 64, true),
      comm: batch.toString('latin1', o + 72, commEnd < 0 || commEnd > o + 88 ? o + 88 : commEnd),
    };
  }

  private decodeData(batch: Buffer, v: DataView, o: number, size: number): SockDataEvent {
    const d = this.data;
    const captured = Math.min(v.getUint32(o + 4, true), size - DATA_HEADER);
    const tailLen = v.getUint8(o + 3);
    d.direction = v.getUint8(o + 1) as Direction;
    d.syscall = v.getUint8(o + 2);
    d.tgid = v.getUint32(o + 8, true);
    d.tid = v.getUint32(o + 12, true);
    d.connId = v.getBigUint64(o + 16, true);
    d.enterTs = this.clock.rel(v.getUint32(o + 28, true), v.getUint32(o + 24, true));
    d.exitTs = this.clock.rel(v.getUint32(o + 36, true), v.getUint32(o + 32, true));
    d.arrivalTs = this.clock.rel(v.getUint32(o + 44, true), v.getUint32(o + 40, true));
    d.wireLength = v.getUint32(o + 48, true) + v.getUint32(o + 52, true) * 4294967296;
    d.ssl = d.syscall >= SYS_SSL_READ ? batch.toString('hex', o + 56, o + 64) : undefined;
    d.fd = v.getInt32(o + 64, true);
    d.tail = tailLen > 0 ? batch.subarray(o + 72, o + 72 + Math.min(tailLen, 16)) : undefined;
    d.payload = batch.subarray(o + DATA_HEADER, o + DATA_HEADER + captured);
    return d;
  }

  private decodeTlsBind(batch: Buffer, v: DataView, o: number): TlsBindEvent {
    return {
      tgid: v.getUint32(o + 4, true),
      tid: v.getUint32(o + 8, true),
      fd: v.getInt32(o + 12, true),
      connId: v.getBigUint64(o + 16, true),
      ssl: batch.toString('hex', o + 24, o + 32),
      ts: this.clock.rel(v.getUint32(o + 36, true), v.getUint32(o + 32, true)),
    };
  }

  private decodeExec(batch: Buffer, v: DataView, o: number): ProcessExecEvent {
    const end = batch.indexOf(0, o + 16);
    return {
      tgid: v.getUint32(o + 4, true),
      ts: this.clock.rel(v.getUint32(o + 12, true), v.getUint32(o + 8, true)),
      comm: batch.toString('latin1', o + 16, end < 0 || end > o + 32 ? o + 32 : end),
    };
  }

  private decodeClose(v: DataView, o: number): SockCloseEvent {
    return {
      tgid: v.getUint32(o + 4, true),
      tid: v.getUint32(o + 8, true),
      fd: v.getInt32(o + 12, true),
      connId: v.getBigUint64(o + 16, true),
      ts: this.clock.rel(v.getUint32(o + 28, true), v.getUint32(o + 24, true)),
    };
  }
}
