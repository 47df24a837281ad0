import { randomFillSync } from 'crypto';

export interface RemoteParent {
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** W3C traceparent; invalid or all-zero ids are ignored, as the spec requires. */
export function parseTraceparent(value: string | undefined): RemoteParent | undefined {
  if (!value) return undefined;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m || m[1] === 'ff') return undefined;
  if (m[1] === '00' && m[5] !== undefined) return undefined;
  if (/^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined;
  return { traceId: m[2], spanId: m[3] };
}

/* Ids come from a pool refilled in bulk: one crypto call per 4096 ids. */
const pool = Buffer.alloc(64 * 1024);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const from = poolOffset;
  poolOffset += bytes;
  // An all-zero id is invalid; test the bytes, not the hex string (no regex on the per-span path).
  let any = 0;
  for (let i = from; i < poolOffset; i++) any |= pool[i];
  return any === 0 ? randomHex(bytes) : pool.toString('hex', from, poolOffset);
}

export function newTraceId(): string {
  return randomHex(16);
}

export function newSpanId(): string {
  return randomHex(8);
}
