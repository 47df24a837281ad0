import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  FRAME_HEADER_BYTES,
  FrameFlag,
  FrameType,
  LAST_KNOWN_FRAME_TYPE,
} from './constants';
import { frameViolation, plausibleFrameHeader, prefixLength, readFrameHeader, type FrameHeader } from './frameRules';
import { HeaderBlockBuffer } from './HeaderBlockBuffer';
import type { Http2Direction } from './types';

/** What the reader found, reported as it goes. */
export interface FrameHandler {
  /**
   * A complete header block (HEADERS or PUSH_PROMISE and its CONTINUATIONs)
   * in bytes[start, end), valid only during the call. truncated: part of
   * the block went unseen or over the buffer limit (oversize), so bytes is
   * only its beginning.
   */
  onHeaderBlock(r: FrameReader, bytes: Uint8Array, start: number, end: number, truncated: boolean, oversize: boolean): void;
  /** A DATA frame's last octet went by. */
  onData(r: FrameReader, streamId: number, bytes: number, endStream: boolean): void;
  onRstStream(r: FrameReader, streamId: number, errorCode: number | undefined): void;
  /** One setting of a SETTINGS frame (not an ACK). */
  onSetting(r: FrameReader, id: number, value: number): void;
  /** Part of a SETTINGS frame went unseen. */
  onSettingsLost(r: FrameReader): void;
  onGoaway(r: FrameReader, lastStreamId: number | undefined, errorCode: number | undefined): void;
  /**
   * Frame alignment is lost: unseen bytes may have held any frames,
   * header blocks included. Called again only after a resync.
   */
  onLost(r: FrameReader): void;
  /** The bytes break RFC 9113. fatal: the reader stops for good. */
  onViolation(r: FrameReader, reason: string, fatal: boolean): void;
}

const enum Mode {
  /** Nothing read yet in this direction. */
  Start,
  Preface,
  Header,
  Payload,
  /** Alignment lost; waiting for a push that starts with plausible frames. */
  Lost,
  Broken,
}

const MAX_PREFIX = 9; // pad length + priority (5) or promised stream id (4)

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/**
 * Splits one direction's bytes into HTTP/2 frames (RFC 9113 section 4),
 * across any read boundaries and unseen gaps, without copying payloads:
 * DATA and unknown frames are skipped by count, control frames keep only
 * the octets they need, and a header block is copied only when it spans
 * frames or pushes.
 *
 * A gap inside a payload is skipped by the frame's length; a gap that hides
 * a frame header loses alignment. Alignment is then regained only at the
 * start of a later push whose frame headers all look plausible (writes and
 * reads usually begin at a frame boundary), and such a reader is
 * `heuristic` from then on: its violations only lose alignment again.
 */
export class FrameReader {
  /** Frame boundaries were guessed (late start or resync), not followed from byte 0. */
  heuristic = false;
  /** Client: the preface was seen. Server: its first frame was SETTINGS. */
  fromStart = false;
  /** The first bytes showed that the connection had started before we looked. */
  startedLate = false;
  /** The receiver's SETTINGS_MAX_FRAME_SIZE, as far as we know it. */
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  /** The frame being read. */
  readonly frame: FrameHeader = { length: 0, type: 0, flags: 0, streamId: 0, reserved: false };
  frames = 0;
  unknownFrames = 0;
  syncLost = 0;
  resyncs = 0;

  // The header block being assembled.
  inBlock = false;
  blockStreamId = 0;
  blockType = 0;
  blockEndStream = false;
  promisedStreamId: number | undefined;
  private readonly block: HeaderBlockBuffer;

  private mode = Mode.Start;
  private verifyNext = false;
  private readonly hdr = new Uint8Array(FRAME_HEADER_BYTES);
  private hdrFill = 0;
  private prefaceFill = 0;
  private readonly probe: FrameHeader = { length: 0, type: 0, flags: 0, streamId: 0, reserved: false };

  // The payload being read: [prefix | body | padding].
  private left = 0;
  private prefixLen = 0;
  private prefixSeen = 0;
  private prefixLost = false;
  private readonly prefix = new Uint8Array(MAX_PREFIX);
  private padLen = 0;
  private bodyDone = false;
  private readonly control = new Uint8Array(8);
  private controlFill = 0;
  private settingFill = 0;
  private settingsLost = false;
  private settingTainted = false;

  constructor(
    readonly direction: Http2Direction,
    private readonly handler: FrameHandler,
    maxHeaderBlockBytes: number,
  ) {
    this.block = new HeaderBlockBuffer(maxHeaderBlockBytes);
  }

  get broken(): boolean {
    return this.mode === Mode.Broken;
  }

  /** Frame boundaries are currently known (not lost, not broken). */
  get aligned(): boolean {
    return this.mode !== Mode.Lost && this.mode !== Mode.Broken;
  }

  /** Stops reading for good (the connection is broken). */
  stop(): void {
    this.mode = Mode.Broken;
    this.inBlock = false;
    this.block.reset();
  }

  /** One read or write: `captured` octets seen, then wire - captured unseen. */
  push(buf: Uint8Array, wire: number): void {
    const captured = buf.length;
    if (this.mode === Mode.Start) this.begin(buf);
    else if (this.mode === Mode.Lost) this.tryResync(buf, wire);
    let pos = 0;
    while (pos < captured) {
      switch (this.mode) {
        case Mode.Preface:
          pos = this.feedPreface(buf, pos, captured);
          break;
        case Mode.Header:
          pos = this.feedHeader(buf, pos, captured);
          break;
        case Mode.Payload:
          pos += this.payload(buf, pos, captured - pos);
          break;
        default:
          pos = captured;
      }
    }
    if (wire > captured) this.skip(wire - captured);
  }

  private begin(buf: Uint8Array): void {
    if (buf.length === 0) return;
    if (this.direction === 'client') {
      const n = Math.min(buf.length, CLIENT_PREFACE.length);
      let m = 0;
      while (m < n && buf[m] === CLIENT_PREFACE[m]) m++;
      // "PRI" read as a frame header announces 5 MB: no real frame starts
      // so, so a start that far into the preface is one (good or bad).
      if (m === n || m >= 3) {
        this.mode = Mode.Preface;
        return;
      }
    }
    this.mode = Mode.Header;
    if (this.direction === 'server') {
      // A server's first frame is SETTINGS (RFC 9113 section 3.4); with
      // fewer than 9 octets seen, startFrame decides.
      if (buf.length < FRAME_HEADER_BYTES) return;
      readFrameHeader(buf, 0, this.probe);
      if (this.probe.type === FrameType.SETTINGS && (this.probe.flags & FrameFlag.ACK) === 0) return;
    }
    this.startLate(buf);
  }

  /** The first bytes are not the start of the connection. */
  private startLate(buf: Uint8Array): void {
    this.startedLate = true;
    this.heuristic = true;
    this.verifyNext = true;
    if (buf.length >= FRAME_HEADER_BYTES && !this.chainPlausible(buf, buf.length)) this.mode = Mode.Lost;
  }

  private feedPreface(buf: Uint8Array, pos: number, end: number): number {
    while (pos < end && this.prefaceFill < CLIENT_PREFACE.length) {
      if (buf[pos] !== CLIENT_PREFACE[this.prefaceFill]) {
        this.violation('bad connection preface');
        return end;
      }
      pos++;
      this.prefaceFill++;
    }
    if (this.prefaceFill === CLIENT_PREFACE.length) {
      this.fromStart = true;
      this.mode = Mode.Header;
    }
    return pos;
  }

  private feedHeader(buf: Uint8Array, pos: number, end: number): number {
    if (this.hdrFill === 0 && end - pos >= FRAME_HEADER_BYTES) {
      readFrameHeader(buf, pos, this.frame);
      this.startFrame();
      return pos + FRAME_HEADER_BYTES;
    }
    const n = Math.min(FRAME_HEADER_BYTES - this.hdrFill, end - pos);
    this.hdr.set(buf.subarray(pos, pos + n), this.hdrFill);
    this.hdrFill += n;
    if (this.hdrFill === FRAME_HEADER_BYTES) {
      this.hdrFill = 0;
      readFrameHeader(this.hdr, 0, this.frame);
      this.startFrame();
    }
    return pos + n;
  }

  private startFrame(): void {
    const f = this.frame;
    this.frames++;
    if (this.frames === 1 && this.direction === 'server' && !this.heuristic) {
      // RFC 9113 section 3.4: a server's first frame is SETTINGS.
      if (f.type === FrameType.SETTINGS && (f.flags & FrameFlag.ACK) === 0) this.fromStart = true;
      else {
        this.startedLate = true;
        this.heuristic = true;
        this.verifyNext = true;
      }
    }
    if (this.verifyNext) {
      this.verifyNext = false;
      if (!plausibleFrameHeader(f, this.direction, this.maxFrameSize)) {
        this.loseSync(false);
        return;
      }
    }
    let bad = frameViolation(f, this.direction, this.maxFrameSize);
    if (bad === undefined) {
      if (this.inBlock && (f.type !== FrameType.CONTINUATION || f.streamId !== this.blockStreamId)) {
        bad = 'header block interrupted before END_HEADERS';
      } else if (!this.inBlock && f.type === FrameType.CONTINUATION) {
        bad = 'CONTINUATION without HEADERS';
      }
    }
    if (bad !== undefined) {
      this.violation(bad);
      return;
    }
    if (f.type > LAST_KNOWN_FRAME_TYPE) this.unknownFrames++;
    this.left = f.length;
    this.prefixLen = prefixLength(f.type, f.flags);
    this.prefixSeen = 0;
    this.prefixLost = false;
    this.padLen = 0;
    this.bodyDone = false;
    this.controlFill = 0;
    this.settingFill = 0;
    this.settingsLost = false;
    this.settingTainted = false;
    if (f.type === FrameType.HEADERS || f.type === FrameType.PUSH_PROMISE) {
      this.blockStreamId = f.streamId;
      this.blockType = f.type;
      this.blockEndStream = f.type === FrameType.HEADERS && (f.flags & FrameFlag.END_STREAM) !== 0;
      this.promisedStreamId = undefined;
      this.block.reset();
    }
    if (f.type === FrameType.HEADERS || f.type === FrameType.PUSH_PROMISE || f.type === FrameType.CONTINUATION) {
      this.inBlock = (f.flags & FrameFlag.END_HEADERS) === 0;
    }
    this.mode = Mode.Payload;
    if (this.left === 0) this.finishFrame();
  }

  /** Body end offset within the payload (padding excluded when known). */
  private bodyEnd(): number {
    return this.frame.length - this.padLen;
  }

  /**
   * Consumes up to n payload octets at buf[pos] (buf undefined: unseen);
   * returns how many were consumed.
   */
  private payload(buf: Uint8Array | undefined, pos: number, n: number): number {
    let used = 0;
    while (used < n && this.left > 0 && this.mode === Mode.Payload) {
      const offset = this.frame.length - this.left;
      let k: number;
      if (offset < this.prefixLen) {
        k = Math.min(this.prefixLen - offset, n - used);
        if (buf !== undefined && !this.prefixLost) {
          this.prefix.set(buf.subarray(pos + used, pos + used + k), offset);
          this.prefixSeen += k;
        } else this.prefixLost = true;
        used += k;
        this.left -= k;
        if (offset + k === this.prefixLen) this.prefixDone();
        continue;
      }
      const bodyEnd = this.bodyEnd();
      if (offset < bodyEnd) {
        k = Math.min(bodyEnd - offset, n - used);
        this.body(buf, pos + used, k, offset);
        used += k;
        this.left -= k;
        if (offset + k === bodyEnd) this.endBody();
        continue;
      }
      k = Math.min(this.left, n - used);
      used += k;
      this.left -= k;
    }
    if (this.left === 0 && this.mode === Mode.Payload) this.finishFrame();
    return used;
  }

  private prefixDone(): void {
    const f = this.frame;
    const padded = (f.flags & FrameFlag.PADDED) !== 0;
    // Without the pad length the block's end is unknown: keep none of it.
    if (padded && this.prefixSeen < 1 && f.type !== FrameType.DATA) this.block.truncated = true;
    if (padded && this.prefixSeen >= 1) {
      this.padLen = this.prefix[0];
      if (this.padLen > f.length - this.prefixLen) {
        this.padLen = 0;
        this.violation('padding longer than payload');
        return;
      }
    }
    if (f.type === FrameType.PUSH_PROMISE) {
      const at = padded ? 1 : 0;
      if (this.prefixSeen >= at + 4) this.promisedStreamId = u32(this.prefix, at) & 0x7fffffff;
    }
  }

  private body(buf: Uint8Array | undefined, pos: number, k: number, offset: number): void {
    const f = this.frame;
    switch (f.type) {
      case FrameType.HEADERS:
      case FrameType.PUSH_PROMISE:
      case FrameType.CONTINUATION: {
        if (buf === undefined || this.block.truncated) {
          this.block.truncated = true;
          return;
        }
        const whole = offset === this.prefixLen && offset + k === this.bodyEnd();
        if (whole && f.type !== FrameType.CONTINUATION && (f.flags & FrameFlag.END_HEADERS) !== 0) {
          // The whole block is in this push: decode it where it lies.
          this.deliver(buf, pos, pos + k, false, false);
          return;
        }
        this.block.append(buf, pos, k);
        return;
      }
      case FrameType.RST_STREAM:
      case FrameType.GOAWAY: {
        const need = Math.min(this.control.length - offset, k);
        if (need <= 0) return;
        if (buf === undefined || this.controlFill !== offset) return;
        this.control.set(buf.subarray(pos, pos + need), offset);
        this.controlFill += need;
        return;
      }
      case FrameType.SETTINGS:
        if (f.flags & FrameFlag.ACK) return;
        if (buf === undefined) {
          this.settingsLost = true;
          this.settingFill = (this.settingFill + k) % 6;
          // The setting the gap ended in is missing octets: skip it.
          this.settingTainted = this.settingFill !== 0;
          return;
        }
        for (let i = 0; i < k; i++) {
          this.control[this.settingFill++] = buf[pos + i];
          if (this.settingFill === 6) {
            this.settingFill = 0;
            if (this.settingTainted) this.settingTainted = false;
            else this.handler.onSetting(this, (this.control[0] << 8) | this.control[1], u32(this.control, 2));
            if (this.mode !== Mode.Payload) return;
          }
        }
        return;
      default:
    }
  }

  private endBody(): void {
    if (this.bodyDone) return;
    this.bodyDone = true;
    const f = this.frame;
    const blockFrame = f.type === FrameType.HEADERS || f.type === FrameType.PUSH_PROMISE || f.type === FrameType.CONTINUATION;
    if (blockFrame && (f.flags & FrameFlag.END_HEADERS) !== 0 && !this.delivered) {
      this.deliver(this.block.bytes, 0, this.block.length, this.block.truncated, this.block.oversize);
    }
  }

  private delivered = false;

  private deliver(bytes: Uint8Array, start: number, end: number, truncated: boolean, oversize: boolean): void {
    this.delivered = true;
    this.inBlock = false;
    this.handler.onHeaderBlock(this, bytes, start, end, truncated, oversize);
    this.block.reset();
  }

  private finishFrame(): void {
    const f = this.frame;
    this.mode = Mode.Header;
    if (!this.bodyDone) this.endBody();
    this.delivered = false;
    switch (f.type) {
      case FrameType.DATA: {
        const padField = f.flags & FrameFlag.PADDED ? 1 : 0;
        this.handler.onData(this, f.streamId, f.length - padField - this.padLen, (f.flags & FrameFlag.END_STREAM) !== 0);
        return;
      }
      case FrameType.RST_STREAM:
        this.handler.onRstStream(this, f.streamId, this.controlFill >= 4 ? u32(this.control, 0) : undefined);
        return;
      case FrameType.GOAWAY:
        this.handler.onGoaway(
          this,
          this.controlFill >= 4 ? u32(this.control, 0) & 0x7fffffff : undefined,
          this.controlFill >= 8 ? u32(this.control, 4) : undefined,
        );
        return;
      case FrameType.SETTINGS:
        if (this.settingsLost) this.handler.onSettingsLost(this);
        return;
      default:
    }
  }

  /** `n` octets went by unseen. */
  private skip(n: number): void {
    switch (this.mode) {
      case Mode.Start:
        this.startedLate = true;
        this.heuristic = true;
        this.mode = Mode.Header;
        this.loseSync(true);
        return;
      case Mode.Preface: {
        // A preface that began correctly is taken to continue correctly.
        const rest = CLIENT_PREFACE.length - this.prefaceFill;
        this.prefaceFill += Math.min(rest, n);
        if (this.prefaceFill === CLIENT_PREFACE.length) {
          this.fromStart = true;
          this.mode = Mode.Header;
        }
        if (n > rest) this.loseSync(true);
        return;
      }
      case Mode.Header:
        this.loseSync(true);
        return;
      case Mode.Payload: {
        const used = this.payload(undefined, 0, n);
        if (n > used && (this.mode as Mode) === Mode.Header) this.loseSync(true);
        return;
      }
      default:
    }
  }

  /**
   * Gives up frame alignment. After a gap the block being assembled is
   * delivered truncated, so the fields before the gap still count; after
   * an implausible header it is dropped, being likely garbage.
   */
  private loseSync(deliverBlock: boolean): void {
    if (this.mode === Mode.Broken || this.mode === Mode.Lost) return;
    if (this.inBlock || (this.mode === Mode.Payload && this.isBlockFrame() && !this.bodyDone)) {
      if (deliverBlock && !this.delivered) this.deliver(this.block.bytes, 0, this.block.length, true, this.block.oversize);
    }
    this.inBlock = false;
    this.delivered = false;
    this.block.reset();
    this.mode = Mode.Lost;
    this.hdrFill = 0;
    this.verifyNext = false;
    this.syncLost++;
    this.handler.onLost(this);
  }

  private isBlockFrame(): boolean {
    const t = this.frame.type;
    return t === FrameType.HEADERS || t === FrameType.PUSH_PROMISE || t === FrameType.CONTINUATION;
  }

  private violation(reason: string): void {
    const fatal = !this.heuristic;
    this.handler.onViolation(this, reason, fatal);
    if (fatal) this.stop();
    else this.loseSync(false);
  }

  /** At the start of a push while lost: do its bytes start with plausible frames? */
  private tryResync(buf: Uint8Array, wire: number): void {
    if (buf.length < FRAME_HEADER_BYTES || !this.chainPlausible(buf, wire)) return;
    this.mode = Mode.Header;
    this.hdrFill = 0;
    this.heuristic = true;
    this.resyncs++;
  }

  /** Every frame header that starts within the captured octets is plausible. */
  private chainPlausible(buf: Uint8Array, wire: number): boolean {
    let at = 0;
    while (at + FRAME_HEADER_BYTES <= buf.length && at < wire) {
      readFrameHeader(buf, at, this.probe);
      if (!plausibleFrameHeader(this.probe, this.direction, this.maxFrameSize)) return false;
      at += FRAME_HEADER_BYTES + this.probe.length;
    }
    return true;
  }
}
