/** Decoded tcp-family events (layouts in bpf/include/tcp.h). */
import { RelNs } from '../sockets/types';

export { RelNs };

/** Kernel TCP states (include/net/tcp_states.h). */
export const TCP_STATE_NAMES: Readonly<Record<number, string>> = {
  1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT',
  7: 'CLOSE', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING', 12: 'NEW_SYN_RECV',
};

/** Congestion-control states (enum tcp_ca_state). */
export const TCP_CA_STATE_NAMES: Readonly<Record<number, string>> = {
  0: 'Open', 1: 'Disorder', 2: 'CWR', 3: 'Recovery', 4: 'Loss',
};

/**
 * The connection an event belongs to, as the sockets family reports its
 * connections (SockOpenEvent): addresses formatted the same way (IPv4-mapped
 * IPv6 shown as IPv4), ports in host order. `sk` is the kernel's struct sock
 * pointer: stable for the life of the connection, reused afterwards.
 */
export interface TcpTuple {
  sk: bigint;
  /** 2 (AF_INET) or 10 (AF_INET6). */
  family: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

/** How TcpRetransmitEvent.origTs was obtained (enum kspan_tcp_rtx_origin). */
export type RetransmitOrigin =
  /** TCP_SKB_CB(skb)->tx.first_tx_mstamp: send time of the flight that carried the segment. */
  | 'first_tx'
  /** Retransmit time minus the retransmission timeouts that expired (icsk_rto). */
  | 'rto';

/** A segment was retransmitted: the `tcp retransmit` child span runs origTs → ts. */
export interface TcpRetransmitEvent extends TcpTuple {
  /** The retransmission. */
  ts: RelNs;
  /** The segment's original send time (see origin). */
  origTs: RelNs;
  /** ts - origTs, ns: the delay the retransmission added. */
  delayNs: number;
  origin: RetransmitOrigin;
  /** TCP state number and name (TCP_STATE_NAMES). */
  state: number;
  stateName: string;
  /** Congestion state: 'Loss' = timeout retransmit, 'Recovery' = fast retransmit, 'Open'/'Disorder' = tail loss probe. */
  caState: string;
  seq: number;
  /** Sequence space of the segment (bytes; SYN/FIN count one). */
  length: number;
  /** The retransmission timeout in force, µs. */
  rtoUs: number;
  srttUs: number;
  /** Timeouts in a row so far (icsk_retransmits) and the RTO backoff exponent. */
  retransmits: number;
  backoff: number;
}

/** An outgoing connect finished: the `tcp connect` child span runs startTs → ts. */
export interface TcpConnectEvent extends TcpTuple {
  /** SYN_SENT, inside connect(). */
  startTs: RelNs;
  /** ESTABLISHED, or CLOSE when failed. */
  ts: RelNs;
  durationNs: number;
  failed: boolean;
  /** errno of a failed connect (111 ECONNREFUSED, 110 ETIMEDOUT...), 0 if the application closed it first. */
  errno: number;
  /** Its name ('ECONNREFUSED'), '' when errno is 0. */
  error: string;
  /** The thread that called connect(). */
  tgid: number;
  tid: number;
}

/** Where a drop event's tuple came from. */
export type DropSource =
  /** The TCP socket that owned the packet (skb->sk). */
  | 'socket'
  /** The receiving TCP socket the kernel passed to the tracepoint (rx_sk). */
  | 'rx_socket'
  /** No TCP socket: the packet's IP and TCP headers (sk is 0n). */
  | 'packet';

/** The kernel dropped a packet of a TCP connection. */
export interface TcpDropEvent extends TcpTuple {
  ts: RelNs;
  /** enum skb_drop_reason number and its name without the SKB_DROP_REASON_ prefix ('NETFILTER_DROP'). */
  reason: number;
  reasonName: string;
  source: DropSource;
  /** The packet had been received (it came in on an interface) rather than being sent. */
  ingress: boolean;
  /** TCP state of the socket; 0 for packet tuples. */
  state: number;
  /** TCP header flags for packet tuples (0x02 SYN, 0x10 ACK, ...), else 0. */
  tcpFlags: number;
  /** Kernel text address where the packet was freed. */
  location: bigint;
  /** Ethertype of the packet (0x0800 IPv4, 0x86dd IPv6). */
  protocol: number;
}

export interface TcpEventSink {
  onRetransmit(ev: TcpRetransmitEvent): void;
  onConnect(ev: TcpConnectEvent): void;
  onDrop(ev: TcpDropEvent): void;
}
