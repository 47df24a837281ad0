import { constants as osConstants } from 'os';
import { BatchDecoder } from '../bpf/BatchDecoder';
import { MonotonicClock } from '../MonotonicClock';
import { formatAddress } from '../sockets/address';
import { DropReasonNames } from './DropReasons';
import {
  DropSource, RetransmitOrigin, TCP_CA_STATE_NAMES, TCP_STATE_NAMES, TcpConnectEvent, TcpDropEvent,
  TcpEventSink, TcpRetransmitEvent, TcpTuple,
} from './types';

/* Offsets mirror bpf/include/tcp.h. Every event: u8 type @0, sk @8, ts @16,
 * tuple @24 (family @24, local port @26, remote port @28, addresses @32/@48). */
export const EV_TCP_RETRANSMIT = 1;
export const EV_TCP_CONNECT = 2;
export const EV_TCP_DROP = 3;
export const RETRANSMIT_SIZE = 88;
export const CONNECT_SIZE = 80;
export const DROP_SIZE = 80;

const ORIGIN: Record<number, RetransmitOrigin> = { 1: 'first_tx', 2: 'rto' };
const CONNECT_F_FAILED = 1;
const DROP_F_RX_SK = 2;
const DROP_F_PACKET = 4;
const DROP_F_INGRESS = 8;

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, n]) => [n as number, name]),
);

/** Walks a batch from the native ring-buffer consumer (u32 size, u32 reserved, record padded to 8). */
export class TcpEventDecoder extends BatchDecoder {

  constructor(
    private readonly clock: MonotonicClock,
    private readonly sink: TcpEventSink,
    private readonly reasons: DropReasonNames,
  ) {
    super();
  }

  protected decodeRecord(batch: Buffer, v: DataView, o: number, size: number): boolean {
    switch (v.getUint8(o)) {
      case EV_TCP_RETRANSMIT:
        if (size < RETRANSMIT_SIZE) break;
        this.sink.onRetransmit(this.decodeRetransmit(batch, v, o));
        return true;
      case EV_TCP_CONNECT:
        if (size < CONNECT_SIZE) break;
        this.sink.onConnect(this.decodeConnect(batch, v, o));
        return true;
      case EV_TCP_DROP:
        if (size < DROP_SIZE) break;
        this.sink.onDrop(this.decodeDrop(batch, v, o));
        return true;
    }
    return false;
  }

  private tuple(batch: Buffer, v: DataView, o: number): TcpTuple {
    const family = v.getUint16(o + 24, true);
    return {
      sk: v.getBigUint64(o + 8, true),
      family,
      localPort: v.getUint16(o + 26, true),
      remotePort: v.getUint16(o + 28, true),
      localAddress: formatAddress(family, batch, o + 32),
      remoteAddress: formatAddress(family, batch, o + 48),
    };
  }

  /** A u64 timestamp at o as (relative time, hi, lo). */
  private ts(v: DataView, o: number): [number, number, number] {
    const lo = v.getUint32(o, true), hi = v.getUint32(o + 4, true);
    return [this.clock.rel(hi, lo), hi, lo];
  }

  decodeRetransmit(batch: Buffer, v: DataView, o: number): TcpRetransmitEvent {
    const [ts, hi, lo] = this.ts(v, o + 16);
    const [origTs, ohi, olo] = this.ts(v, o + 64);
    const state = v.getUint8(o + 1);
    return {
      ...this.tuple(batch, v, o),
      ts,
      origTs,
      delayNs: origTs === 0 ? 0 : (hi - ohi) * 4294967296 + (lo - olo),
      origin: ORIGIN[v.getUint8(o + 3)] ?? 'rto',
      state,
      stateName: TCP_STATE_NAMES[state] ?? String(state),
      caState: TCP_CA_STATE_NAMES[v.getUint8(o + 2)] ?? String(v.getUint8(o + 2)),
      seq: v.getUint32(o + 4, true),
      rtoUs: v.getUint32(o + 72, true),
      length: v.getUint32(o + 76, true),
      retransmits: v.getUint8(o + 80),
      backoff: v.getUint8(o + 81),
      srttUs: v.getUint32(o + 84, true),
    };
  }

  decodeConnect(batch: Buffer, v: DataView, o: number): TcpConnectEvent {
    const [ts, hi, lo] = this.ts(v, o + 16);
    const [startTs, shi, slo] = this.ts(v, o + 64);
    const errno = v.getInt32(o + 4, true);
    return {
      ...this.tuple(batch, v, o),
      startTs,
      ts,
      durationNs: (hi - shi) * 4294967296 + (lo - slo),
      failed: (v.getUint8(o + 1) & CONNECT_F_FAILED) !== 0,
      errno,
      error: errno === 0 ? '' : ERRNO_NAMES.get(errno) ?? `errno ${errno}`,
      tgid: v.getUint32(o + 72, true),
      tid: v.getUint32(o + 76, true),
    };
  }

  decodeDrop(batch: Buffer, v: DataView, o: number): TcpDropEvent {
    const flags = v.getUint8(o + 1);
    const reason = v.getUint32(o + 4, true);
    const source: DropSource = flags & DROP_F_PACKET ? 'packet' : flags & DROP_F_RX_SK ? 'rx_socket' : 'socket';
    return {
      ...this.tuple(batch, v, o),
      ts: this.ts(v, o + 16)[0],
      reason,
      reasonName: this.reasons.name(reason),
      source,
      ingress: (flags & DROP_F_INGRESS) !== 0,
      state: v.getUint8(o + 2),
      tcpFlags: v.getUint8(o + 3),
      location: v.getBigUint64(o + 64, true),
      protocol: v.getUint16(o + 72, true),
    };
  }
}
