/** What the parser remembers of one open stream: flags and counts, no headers. */
export class Http2Stream {
  requestSeen = false;
  finalResponseSeen = false;
  clientEnded = false;
  serverEnded = false;
  requestBytes = 0;
  responseBytes = 0;

  /**
   * late: when the stream was first seen, the client's side was not being
   * followed from its start, so its request may have gone by unseen.
   */
  constructor(readonly id: number, readonly late: boolean) {}

  /** Both halves are over (a late stream's unseen client half counts as over). */
  get done(): boolean {
    return this.serverEnded && (this.clientEnded || (this.late && !this.requestSeen));
  }
}

/**
 * The open streams of one connection, bounded: beyond `maxStreams` the
 * oldest is evicted. Stream ids only grow (RFC 9113 section 5.1.1), so an
 * id at or below the highest one opened or closed on its side, and no
 * longer in the table, belongs to a stream that is over; frames for it do
 * not open it again.
 */
export class StreamTable {
  private readonly streams = new Map<number, Http2Stream>();
  /** Highest client-initiated (odd) and server-initiated (even) ids settled. */
  private highestOdd = 0;
  private highestEven = 0;

  constructor(private readonly maxStreams: number) {}

  get size(): number {
    return this.streams.size;
  }

  get(id: number): Http2Stream | undefined {
    return this.streams.get(id);
  }

  /**
   * The stream `id`, opened if new. `initiator` says the frame came from
   * the side that opens streams of this parity (client HEADERS on odd ids,
   * server PUSH_PROMISE on even ones); only such frames raise the id
   * watermark, so a response that overtook its request still opens the
   * stream. Evicted streams are appended to `evicted`. Undefined when the
   * stream is over.
   */
  open(id: number, initiator: boolean, late: boolean, evicted: Http2Stream[]): Http2Stream | undefined {
    const known = this.streams.get(id);
    if (known) {
      if (initiator) this.raise(id);
      return known;
    }
    if (id <= this.highest(id)) return undefined;
    if (initiator) this.raise(id);
    while (this.streams.size >= this.maxStreams) {
      const oldest = this.streams.values().next().value as Http2Stream;
      this.close(oldest);
      evicted.push(oldest);
    }
    const s = new Http2Stream(id, late);
    this.streams.set(id, s);
    return s;
  }

  /** Forgets the stream; later frames for it are ignored. */
  close(s: Http2Stream): void {
    this.streams.delete(s.id);
    this.raise(s.id);
  }

  /** Open streams, oldest first. */
  all(): Http2Stream[] {
    return [...this.streams.values()];
  }

  private highest(id: number): number {
    return id % 2 === 1 ? this.highestOdd : this.highestEven;
  }

  private raise(id: number): void {
    if (id % 2 === 1) this.highestOdd = Math.max(this.highestOdd, id);
    else this.highestEven = Math.max(this.highestEven, id);
  }
}
