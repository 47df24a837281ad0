/** OTLP span flags: bit 8 says whether the parent's remoteness is known, bit 9 that it is remote. */
const CONTEXT_HAS_IS_REMOTE = 0x100;
const CONTEXT_IS_REMOTE = 0x200;

/**
 * The OTLP `flags` of a span or link: the W3C trace flags in the low byte,
 * plus the is-remote bits. Always claims to know remoteness, as the SDK does.
 */
export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | CONTEXT_HAS_IS_REMOTE | (isRemote ? CONTEXT_IS_REMOTE : 0);
}
