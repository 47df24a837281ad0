import { Http2ConnectionParser } from '../../protocols/http2/Http2ConnectionParser';
import type { HttpExchange } from '../HttpExchange';
import { HeaderBlockStarts } from './HeaderBlockStarts';

/** Open streams tracked per connection; the parser drops the oldest beyond it. */
export const MAX_OPEN_STREAMS = 1024;
/** Finished streams kept for pairing with the other end of a same-host connection. */
export const MAX_RECENT_STREAMS = 256;
/** HPACK dynamic table kept per direction, whatever the peers allow (octets). */
export const MAX_HPACK_TABLE = 65536;
/** Largest header list kept per block (octets, RFC 9113 section 6.5.2 accounting). */
export const MAX_HEADER_LIST = 65536;

/**
 * One HTTP/2 connection end as the tracker follows it: the parser (frames,
 * HPACK, streams), where client header blocks began, and the exchanges of
 * its streams by id. Every part is bounded.
 */
export class Http2Session {
  parser: Http2ConnectionParser | undefined;
  readonly blockStarts: HeaderBlockStarts;
  /** Streams whose exchange has not completed. */
  readonly open = new Map<number, HttpExchange>();
  /** Completed exchanges, oldest first, until MAX_RECENT_STREAMS newer ones push them out. */
  private readonly recent = new Map<number, HttpExchange>();
  /** Exchanges started on this connection so far. */
  streamsStarted = 0;

  constructor(readonly fromStart: boolean) {
    this.parser = new Http2ConnectionParser({
      fromStart,
      maxStreams: MAX_OPEN_STREAMS,
      maxTableSize: MAX_HPACK_TABLE,
      maxHeaderListSize: MAX_HEADER_LIST,
      maxHeaderBlockBytes: MAX_HEADER_LIST,
    });
    this.blockStarts = new HeaderBlockStarts(fromStart);
  }

  /** The connection broke the protocol: it is no longer followed (its bytes are ignored). */
  get dead(): boolean {
    return this.parser === undefined;
  }

  /** The exchange of a stream, open or recently completed. */
  find(streamId: number): HttpExchange | undefined {
    return this.open.get(streamId) ?? this.recent.get(streamId);
  }

  /** Moves a stream's exchange from open to recent. */
  finished(streamId: number, ex: HttpExchange): void {
    this.open.delete(streamId);
    this.recent.set(streamId, ex);
    if (this.recent.size > MAX_RECENT_STREAMS) this.recent.delete(this.recent.keys().next().value as number);
  }

  /** Stops following the connection; returns the exchanges left open. */
  kill(): HttpExchange[] {
    this.parser = undefined;
    const left = [...this.open.values()];
    this.open.clear();
    this.recent.clear();
    return left;
  }
}
