/**
 * Heuristic end detection for a chunked body after an unseen gap.
 *
 * Once a gap has swallowed a chunk-size line we can no longer follow the
 * framing. But the last-chunk of a chunked body ("0\r\n" + optional
 * trailers + "\r\n") is written by the same call that finishes the message,
 * and a sender does not normally append anything after it in that call
 * (pipelined responses excepted, see endsBeforeStartLine). So we look only at
 * the visible bytes that end exactly where the syscall's data ends (the
 * captured bytes when nothing was cut, otherwise the kernel's copy of the
 * last bytes, the "tail"), and say the message ended if they end with:
 *
 *   - "\r\n0\r\n\r\n" (or "0\r\n\r\n" at the very start of the syscall,
 *     as node writes the last-chunk on its own), optionally with chunk
 *     extensions on the zero line ("0;name=value") and any number of zeros;
 *   - a zero line followed by trailer lines ("name: value") and "\r\n".
 *
 * Body data that happens to end with such bytes at the end of a write fools
 * it; the price is one message ending early and the next parsed after
 * resynchronisation.
 */

const ZERO_LINE = /^0+[ \t]*(;.*)?$/;
const TRAILER_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/;
/** Enough for the zero line plus a few short trailers. */
const MAX_LOOK_BACK = 256;

/**
 * `region` holds visible bytes ending at the end of a syscall's data;
 * `atSyscallStart` says whether region[0] was the syscall's first byte.
 */
export function endsChunkedBody(region: Buffer, atSyscallStart: boolean): boolean {
  const n = region.length;
  if (n < 5 || region[n - 1] !== 0x0a || region[n - 2] !== 0x0d) return false;
  const from = Math.max(0, n - MAX_LOOK_BACK);
  const complete = atSyscallStart && from === 0;
  const lines = region.toString('latin1', from, n - 2).split('\r\n');
  // lines ends with the blank line's empty string; walk back over trailers.
  if (lines.pop() !== '') return false;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    // The first piece is a whole line only if we can see where it began.
    const whole = i > 0 || complete;
    if (ZERO_LINE.test(line)) return whole;
    if (!whole || !TRAILER_LINE.test(line)) return false;
  }
  return false;
}

const TERMINATOR = Buffer.from('\r\n0\r\n\r\n', 'latin1');

/**
 * Inside one contiguous run of visible bytes, finds "\r\n0\r\n\r\n" that is
 * directly followed by a plausible start line (`isStart` decides), i.e. a
 * chunked body ending and the next message beginning in the same write.
 * Returns the index after the terminator, or -1.
 */
export function endsBeforeStartLine(
  buf: Buffer,
  pos: number,
  end: number,
  isStart: (at: number) => boolean,
): number {
  let at = buf.indexOf(TERMINATOR, pos);
  while (at >= 0 && at + TERMINATOR.length < end) {
    const next = at + TERMINATOR.length;
    if (isStart(next)) return next;
    at = buf.indexOf(TERMINATOR, at + 1);
  }
  return -1;
}
