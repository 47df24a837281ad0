/** Decoded sockets-family events (layouts in bpf/include/sockets.h). */

export const enum ConnRole {
  Unknown = 0,
  Server = 1,
  Client = 2,
}

export const enum Direction {
  Egress = 0,
  Ingress = 1,
}

/**
 * Kernel CLOCK_MONOTONIC timestamps are carried as numbers of nanoseconds
 * relative to the receiver's clock base (see MonotonicClock), exact for
 * 104 days of agent uptime; 0 means "not known".
 */
export type RelNs = number;

export interface SockOpenEvent {
  role: ConnRole;
  tgid: number;
  tid: number;
  fd: number;
  connId: bigint;
  ts: RelNs;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  comm: string;
}

/**
 * One read/write-like syscall on a traced connection. `payload` and `tail`
 * are views into the batch buffer: valid only during the callback.
 */
export interface SockDataEvent {
  direction: Direction;
  syscall: number;
  tgid: number;
  tid: number;
  fd: number;
  connId: bigint;
  enterTs: RelNs;
  exitTs: RelNs;
  /** First arrival of the data in the socket (sk_data_ready), 0 if unknown. */
  arrivalTs: RelNs;
  /** Bytes the syscall moved; payload holds the first of them. */
  wireLength: number;
  payload: Uint8Array;
  tail: Uint8Array | undefined;
  /** TLS plaintext (SSL_read/SSL_write): the SSL* (as hex); connId is 0 until bound. Else undefined. */
  ssl: string | undefined;
}

/** An SSL* of a process is now known to run over connection connId. */
export interface TlsBindEvent {
  tgid: number;
  tid: number;
  fd: number;
  connId: bigint;
  ssl: string;
  ts: RelNs;
}

export interface ProcessExecEvent {
  tgid: number;
  comm: string;
  ts: RelNs;
}

export interface SockCloseEvent {
  tgid: number;
  tid: number;
  fd: number;
  connId: bigint;
  ts: RelNs;
}

export interface SocketEventSink {
  onOpen(ev: SockOpenEvent): void;
  onData(ev: SockDataEvent): void;
  onClose(ev: SockCloseEvent): void;
  onTlsBind?(ev: TlsBindEvent): void;
  onExec?(ev: ProcessExecEvent): void;
}

/** Syscall ids (enum kspan_syscall) of TLS plaintext events. */
export const SYS_SSL_READ = 10;
export const SYS_SSL_WRITE = 11;
