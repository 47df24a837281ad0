import { Connection } from './Connection';
import { HttpExchange } from './HttpExchange';
import { sameStreamPeer } from './http2/streamPeer';

/**
 * Same-host stitching: a connection between two traced processes is seen at
 * both ends with mirrored 4-tuples. Exchanges on the two ends are paired in
 * order (HTTP/1.x answers in request order) and checked by method and target;
 * HTTP/2 exchanges by stream id.
 */
export class PeerMatcher {
  private readonly byTuple = new Map<string, Connection>();

  add(conn: Connection): void {
    this.byTuple.set(conn.tupleKey, conn);
  }

  remove(conn: Connection): void {
    if (this.byTuple.get(conn.tupleKey) === conn) this.byTuple.delete(conn.tupleKey);
  }

  /** The traced connection end with this "local>remote" tuple, if any. */
  get(tupleKey: string): Connection | undefined {
    return this.byTuple.get(tupleKey);
  }

  /** Pairs ex with the oldest unpaired exchange of the other end, if that end is traced. */
  link(ex: HttpExchange): void {
    if (ex.peer || (!ex.request && !ex.http2)) return;
    const other = this.byTuple.get(ex.conn.peerTupleKey);
    if (!other || other === ex.conn) return;
    const wanted = ex.kind === 'SERVER' ? 'CLIENT' : 'SERVER';
    const match = ex.http2 ? sameStreamPeer(other, ex, wanted) : other.recent.find((o) => o.kind === wanted && !o.peer && o.request !== undefined
      && o.request.method === ex.request!.method && o.request.target === ex.request!.target);
    if (!match) return;
    const [client, server] = ex.kind === 'CLIENT' ? [ex, match] : [match, ex];
    client.peer = server;
    server.peer = client;
    // Same request bytes at both ends: a traceparent only the server end could decode (the client's capture was cut) is the client's.
    if (!client.parent && !client.remoteParent) client.remoteParent = server.remoteParent;
    server.parent = client;
    server.remoteParent = undefined;
  }
}
