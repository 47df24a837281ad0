import { readFrameHeader, plausibleFrameHeader, type FrameHeader } from '../../protocols/http2/frameRules';

/** The timing fields of one read or write (a SockDataEvent has them all). */
export interface ChunkTimes {
  tid: number;
  enterTs: number;
  exitTs: number;
  arrivalTs: number;
}

const FRAME_HEADER = 9;
const PREFACE_BYTES = 24;
const HEADERS = 0x1;
const CONTINUATION = 0x9;
const END_HEADERS = 0x4;
const ANY_FRAME_SIZE = 0xffffff;

function newTimes(): ChunkTimes {
  return { tid: 0, enterTs: 0, exitTs: 0, arrivalTs: 0 };
}

function copyTimes(from: ChunkTimes, to: ChunkTimes): void {
  to.tid = from.tid;
  to.enterTs = from.enterTs;
  to.exitTs = from.exitTs;
  to.arrivalTs = from.arrivalTs;
}

/** A header block still open at a chunk boundary: its stream, and the chunk its HEADERS frame began in. */
class OpenBlock {
  streamId = 0;
  /** The HEADERS frame was the first thing in that chunk. */
  atChunkStart = false;
  readonly times = newTimes();

  set(from: OpenBlock): void {
    this.streamId = from.streamId;
    this.atChunkStart = from.atChunkStart;
    copyTimes(from.times, this.times);
  }
}

/**
 * Which read or write a client header block began in, and whether its
 * HEADERS frame was the first thing in it. The parser reports a request
 * once the block is complete, possibly a chunk later than the one carrying
 * the frame's first octets, which is the one that times the span. A read's
 * arrival time is that of its first octets, so it times the request only
 * when the HEADERS frame opens the read; after other frames (the preface,
 * another stream's DATA) it may be the arrival of those.
 *
 * This follows the client's frame boundaries, nine octets per frame. After
 * a gap that hides a frame header it waits for a chunk that starts with a
 * plausible frame (writes start at frame boundaries); until then blocks
 * are timed by the chunk they complete in. Allocation-free per chunk.
 */
export class HeaderBlockStarts {
  private prefaceLeft: number;
  private lost: boolean;
  private left = 0;
  private readonly hdr = new Uint8Array(FRAME_HEADER);
  private hdrFill = 0;
  private readonly frame: FrameHeader = { length: 0, type: 0, flags: 0, streamId: 0, reserved: false };
  private readonly current = newTimes();
  /** Where the frame header being read began: this chunk at `headerAt`, or an earlier one (-1)... */
  private headerAt = 0;
  /** ...that one, for a header straddling chunks... */
  private readonly headerTimes = newTimes();
  /** ...and whether it began its chunk. */
  private headerLeads = false;
  /** The block open now, and as it was when the current chunk began. */
  private readonly open = new OpenBlock();
  private readonly carried = new OpenBlock();
  /** A HEADERS frame that is the first frame begun in the current chunk (or straddles into it). */
  private readonly first = new OpenBlock();
  /** What startOf last said about the chunk: the block's HEADERS frame opened it. */
  atChunkStart = false;

  /** fromStart: the first chunk begins with the client preface. */
  constructor(fromStart: boolean) {
    this.prefaceLeft = fromStart ? PREFACE_BYTES : 0;
    this.lost = !fromStart;
  }

  /** Follows one chunk the client sent: `captured` octets seen of `wire`. */
  push(times: ChunkTimes, captured: Uint8Array, wire: number): void {
    copyTimes(times, this.current);
    this.carried.set(this.open);
    this.first.streamId = 0;
    if (this.hdrFill > 0) this.headerAt = -1;
    if (this.lost) this.tryResync(captured);
    let pos = Math.min(this.prefaceLeft, captured.length);
    this.prefaceLeft -= pos;
    while (pos < captured.length && !this.lost) {
      if (this.left > 0) {
        const k = Math.min(this.left, captured.length - pos);
        pos += k;
        this.left -= k;
        if (this.left === 0) this.frameDone();
        continue;
      }
      if (this.hdrFill === 0) {
        this.headerAt = pos;
        this.headerLeads = pos === 0;
      }
      const k = Math.min(FRAME_HEADER - this.hdrFill, captured.length - pos);
      this.hdr.set(captured.subarray(pos, pos + k), this.hdrFill);
      this.hdrFill += k;
      pos += k;
      if (this.hdrFill === FRAME_HEADER) this.frameStart();
    }
    if (this.hdrFill > 0 && this.headerAt >= 0) copyTimes(this.current, this.headerTimes);
    this.skipUnseen(wire - captured.length);
  }

  /**
   * The chunk a block of `streamId` that completed in the chunk just
   * pushed (`current`) began in; sets atChunkStart for it.
   */
  startOf(streamId: number, current: ChunkTimes): ChunkTimes {
    const known = streamId === 0 ? undefined : streamId === this.carried.streamId ? this.carried : streamId === this.first.streamId ? this.first : undefined;
    this.atChunkStart = known?.atChunkStart ?? false;
    return known?.times ?? current;
  }

  private frameStart(): void {
    this.hdrFill = 0;
    readFrameHeader(this.hdr, 0, this.frame);
    this.left = this.frame.length;
    if (this.frame.type === HEADERS) {
      this.open.streamId = this.frame.streamId;
      this.open.atChunkStart = this.headerLeads;
      copyTimes(this.headerAt >= 0 ? this.current : this.headerTimes, this.open.times);
      if (this.headerAt <= 0) this.first.set(this.open);
    } else if (this.frame.type !== CONTINUATION) {
      this.open.streamId = 0;
    }
    if (this.left === 0) this.frameDone();
  }

  private frameDone(): void {
    const t = this.frame.type;
    if ((t === HEADERS || t === CONTINUATION) && (this.frame.flags & END_HEADERS) !== 0) this.open.streamId = 0;
  }

  private skipUnseen(unseen: number): void {
    if (unseen > 0 && this.prefaceLeft > 0) {
      const k = Math.min(this.prefaceLeft, unseen);
      this.prefaceLeft -= k;
      unseen -= k;
    }
    if (unseen <= 0 || this.lost) return;
    if (this.hdrFill === 0 && this.left >= unseen) {
      this.left -= unseen;
      if (this.left === 0) this.frameDone();
      return;
    }
    this.lost = true;
    this.open.streamId = 0;
    this.left = 0;
    this.hdrFill = 0;
  }

  private tryResync(captured: Uint8Array): void {
    if (captured.length < FRAME_HEADER) return;
    readFrameHeader(captured, 0, this.frame);
    if (!plausibleFrameHeader(this.frame, 'client', ANY_FRAME_SIZE)) return;
    this.lost = false;
    this.prefaceLeft = 0;
    this.left = 0;
    this.hdrFill = 0;
  }
}
