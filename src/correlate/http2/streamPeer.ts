import type { Connection } from '../Connection';
import type { HttpExchange } from '../HttpExchange';

/**
 * Same-host stitching for HTTP/2: stream ids belong to the connection, so
 * the client's stream N is the server's stream N on the mirrored end.
 * Exact however many streams are in flight, in whatever order they finish.
 */
export function sameStreamPeer(other: Connection, ex: HttpExchange, wanted: HttpExchange['kind']): HttpExchange | undefined {
  if (!ex.http2) return undefined;
  const match = other.http2?.find(ex.http2.streamId);
  return match && match.kind === wanted && !match.peer ? match : undefined;
}
