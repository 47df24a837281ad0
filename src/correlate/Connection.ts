import { Http1StreamParser } from '../protocols/http1/Http1StreamParser';
import { ConnRole } from '../receivers/sockets/types';
import { ProcessIdentity } from './span';
import { HttpExchange } from './HttpExchange';
import type { Http2Session } from './http2/Http2Session';

/** Most exchanges awaiting a response on one connection (pipelining depth). */
export const MAX_PENDING_EXCHANGES = 64;
/** Recent exchanges kept for same-host matching after they complete. */
export const MAX_RECENT_EXCHANGES = 16;

/** A traced TCP connection end inside one process. */
export class Connection {
  role: ConnRole;
  readonly requestParser = new Http1StreamParser('request');
  readonly responseParser = new Http1StreamParser('response');
  /** Exchanges whose response has not ended yet, oldest first. */
  readonly pending: HttpExchange[] = [];
  /** Exchange whose request is still arriving / being written. */
  receiving: HttpExchange | undefined;
  /** Last exchanges, for pairing with the other end on this host. */
  readonly recent: HttpExchange[] = [];
  lastResponseDataTs = 0;
  /** Plaintext came from TLS library probes (the socket carries ciphertext). */
  tls = false;
  lastActivityMs = Date.now();
  /** "local>remote": the key the other end of a same-host connection looks up reversed (built once: hot path). */
  readonly tupleKey: string;
  readonly peerTupleKey: string;
  /** Set when the connection speaks HTTP/2: its streams, instead of the HTTP/1 parsers above. */
  http2: Http2Session | undefined;

  constructor(
    readonly connId: bigint,
    readonly tgid: number,
    readonly fd: number,
    role: ConnRole,
    readonly process: ProcessIdentity,
    readonly localAddress: string,
    readonly localPort: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    this.role = role;
    this.tupleKey = `${localAddress}:${localPort}>${remoteAddress}:${remotePort}`;
    this.peerTupleKey = `${remoteAddress}:${remotePort}>${localAddress}:${localPort}`;
  }



  remember(ex: HttpExchange): void {
    this.recent.push(ex);
    if (this.recent.length > MAX_RECENT_EXCHANGES) this.recent.shift();
  }
}
