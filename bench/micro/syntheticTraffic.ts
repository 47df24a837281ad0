/**
 * Synthetic socket events for the correlator, as the sockets receiver would
 * deliver them for same-host traffic: for each request, a client connection
 * writes it, a server connection reads it, writes the response, and the
 * client reads that. Bytes come from a recorded fixture (wrk → node).
 */
import { ConnRole, Direction, SockDataEvent, SocketEventSink } from '../../src/receivers/sockets/types';
import type { ProcessIdentity } from '../../src/correlate/span';
import { loadFixtures } from './fixtures';

export const SERVER_PROCESS: ProcessIdentity = { pid: 1001, serviceName: 'bench-server', executableName: 'node', executablePath: '/usr/bin/node' };
export const CLIENT_PROCESS: ProcessIdentity = { pid: 1002, serviceName: 'bench-client', executableName: 'wrk', executablePath: '/usr/bin/wrk' };

export function processLookup(pid: number): ProcessIdentity {
  return pid === SERVER_PROCESS.pid ? SERVER_PROCESS : CLIENT_PROCESS;
}

const SERVER_PORT = 8080;

export class SyntheticTraffic {
  private readonly request: Uint8Array;
  private readonly response: Uint8Array;
  // Asserted, not annotated: fields the receiver adds later (e.g. TLS) stay undefined, as for plain sockets.
  private readonly ev = {
    direction: Direction.Egress, syscall: 1, tgid: 0, tid: 0, fd: 0, connId: 0n,
    enterTs: 0, exitTs: 0, arrivalTs: 0, wireLength: 0, payload: new Uint8Array(0), tail: undefined, ssl: undefined,
  } as SockDataEvent;
  private i = 0;

  constructor(private readonly sink: SocketEventSink, private readonly connections: number, private readonly now: () => number) {
    const f = loadFixtures().find((x) => x.name === 'wrk-node');
    if (!f) throw new Error('fixture wrk-node missing');
    this.request = f.request[0];
    this.response = f.response[0];
    for (let c = 0; c < connections; c++) this.open(c);
  }

  private open(c: number): void {
    const ts = this.now();
    const base = { tid: 0, ts, localAddress: '127.0.0.1', remoteAddress: '127.0.0.1' };
    this.sink.onOpen({ ...base, role: ConnRole.Client, tgid: CLIENT_PROCESS.pid, tid: CLIENT_PROCESS.pid, fd: 10 + c,
      connId: BigInt(2 * c + 1), localPort: 40000 + c, remotePort: SERVER_PORT, comm: 'wrk' });
    this.sink.onOpen({ ...base, role: ConnRole.Server, tgid: SERVER_PROCESS.pid, tid: SERVER_PROCESS.pid, fd: 10 + c,
      connId: BigInt(2 * c + 2), localPort: SERVER_PORT, remotePort: 40000 + c, comm: 'node' });
  }

  /** One request/response on the next connection: four data events, two spans once flushed. */
  next(): void {
    const c = this.i++ % this.connections;
    const t = this.now();
    this.data(CLIENT_PROCESS.pid, 2 * c + 1, Direction.Egress, this.request, t);
    this.data(SERVER_PROCESS.pid, 2 * c + 2, Direction.Ingress, this.request, t + 2000);
    this.data(SERVER_PROCESS.pid, 2 * c + 2, Direction.Egress, this.response, t + 4000);
    this.data(CLIENT_PROCESS.pid, 2 * c + 1, Direction.Ingress, this.response, t + 6000);
  }

  private data(pid: number, connId: number, direction: Direction, bytes: Uint8Array, t: number): void {
    const ev = this.ev; // reused like the real decoder's
    ev.direction = direction;
    ev.tgid = pid;
    ev.tid = pid;
    ev.fd = 10 + ((connId - 1) >> 1);
    ev.connId = BigInt(connId);
    ev.enterTs = t;
    ev.exitTs = t + 1000;
    ev.arrivalTs = direction === Direction.Ingress ? t - 500 : 0;
    ev.wireLength = bytes.length;
    ev.payload = bytes;
    this.sink.onData(ev);
  }
}
