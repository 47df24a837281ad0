import * as fs from 'fs';

/**
 * Names of the kernel's packet drop reasons (enum skb_drop_reason), read at
 * run time from the running kernel so new reasons and renumbering between
 * versions are handled without a rebuild.
 *
 * Source, in order:
 *  1. the kernel's BTF (/sys/kernel/btf/vmlinux): the enum itself, parsed
 *     here (the BTF format is a stable kernel ABI; no bpftool needed);
 *  2. the kfree_skb tracepoint's format file, whose print fmt lists
 *     `{ number, "NAME" }` pairs generated from the same enum;
 *  3. none: reasons are reported as `REASON_<n>`.
 * Names drop the SKB_DROP_REASON_ prefix ('NETFILTER_DROP', 'NO_SOCKET'),
 * as the tracepoint prints them.
 */
export class DropReasonNames {
  constructor(
    private readonly reasons: ReadonlyMap<number, string>,
    private readonly subsystems: ReadonlyMap<number, string>,
    readonly source: 'btf' | 'tracefs' | 'none',
  ) {}

  static fromKernel(btfPath = '/sys/kernel/btf/vmlinux', formatPath = '/sys/kernel/tracing/events/skb/kfree_skb/format'): DropReasonNames {
    try {
      const enums = readBtfEnums(fs.readFileSync(btfPath), ['skb_drop_reason', 'skb_drop_reason_subsys']);
      const reasons = enums.get('skb_drop_reason');
      if (reasons && reasons.size > 0) {
        return new DropReasonNames(stripNames(reasons, ['SKB_DROP_REASON_', 'SKB_']),
          stripNames(enums.get('skb_drop_reason_subsys') ?? new Map(), ['SKB_DROP_REASON_SUBSYS_']), 'btf');
      }
    } catch {
      // no BTF, or not readable: try tracefs
    }
    try {
      const reasons = parseTracefsFormat(fs.readFileSync(formatPath, 'utf8'));
      if (reasons.size > 0) return new DropReasonNames(reasons, new Map(), 'tracefs');
    } catch {
      // fall through
    }
    return new DropReasonNames(new Map(), new Map(), 'none');
  }

  /** Name of a drop reason number as the tracepoint reports it. */
  name(reason: number): string {
    const known = this.reasons.get(reason);
    if (known) return known;
    const subsys = reason >>> 16;
    if (subsys > 0) return `${this.subsystemName(subsys)}_${reason & 0xffff}`;
    return `REASON_${reason}`;
  }

  subsystemName(subsys: number): string {
    return `SUBSYS_${this.subsystems.get(subsys) ?? subsys}`;
  }

  get size(): number {
    return this.reasons.size;
  }
}

function stripNames(m: ReadonlyMap<number, string>, prefixes: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const [v, name] of m) {
    const p = prefixes.find((x) => name.startsWith(x));
    out.set(v, p ? name.slice(p.length) : name);
  }
  return out;
}

/** `{ 2, "NOT_SPECIFIED" }` pairs of the print fmt's __print_symbolic(REC->reason, ...). */
export function parseTracefsFormat(format: string): Map<number, string> {
  const out = new Map<number, string>();
  const at = format.indexOf('__print_symbolic(REC->reason');
  if (at < 0) return out;
  const re = /\{\s*(\d+)\s*,\s*"([A-Za-z0-9_]+)"\s*\}/g;
  re.lastIndex = at;
  for (let m = re.exec(format); m; m = re.exec(format)) out.set(Number(m[1]), m[2]);
  return out;
}

const BTF_MAGIC = 0xeb9f;
const KIND_ENUM = 6;
const KIND_ENUM64 = 19;

/** Bytes following struct btf_type (12 bytes) for each kind (include/uapi/linux/btf.h). */
function trailingBytes(kind: number, vlen: number): number {
  switch (kind) {
    case 1: return 4; // INT
    case 3: return 12; // ARRAY
    case 4: case 5: return vlen * 12; // STRUCT, UNION
    case 6: return vlen * 8; // ENUM
    case 13: return vlen * 8; // FUNC_PROTO
    case 14: return 4; // VAR
    case 15: return vlen * 12; // DATASEC
    case 17: return 4; // DECL_TAG
    case 19: return vlen * 12; // ENUM64
    case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18: return 0;
    default: throw new Error(`unknown BTF kind ${kind}`);
  }
}

/**
 * The values of the named enums in a raw BTF blob: name → (value → enumerator name).
 * Walks every type once; stops early when all are found.
 */
export function readBtfEnums(btf: Buffer, names: string[]): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  let le: boolean;
  if (btf.readUInt16LE(0) === BTF_MAGIC) le = true;
  else if (btf.readUInt16BE(0) === BTF_MAGIC) le = false;
  else throw new Error('not BTF (bad magic)');
  const u32 = (o: number) => (le ? btf.readUInt32LE(o) : btf.readUInt32BE(o));
  const i32 = (o: number) => (le ? btf.readInt32LE(o) : btf.readInt32BE(o));
  const hdrLen = u32(4);
  const typeStart = hdrLen + u32(8);
  const typeEnd = typeStart + u32(12);
  const strStart = hdrLen + u32(16);
  const strEnd = strStart + u32(20);
  if (typeEnd > btf.length || strEnd > btf.length) throw new Error('truncated BTF');
  const str = (off: number) => {
    const s = strStart + off;
    const e = btf.indexOf(0, s);
    return btf.toString('latin1', s, e < 0 || e > strEnd ? strEnd : e);
  };
  const wanted = new Set(names);
  for (let o = typeStart; o + 12 <= typeEnd && wanted.size > 0;) {
    const info = u32(o + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const body = o + 12;
    if (kind === KIND_ENUM || kind === KIND_ENUM64) {
      const name = str(u32(o));
      if (wanted.has(name)) {
        const values = new Map<number, string>();
        const signed = (info >>> 31) === 1;
        for (let i = 0; i < vlen; i++) {
          if (kind === KIND_ENUM) {
            const e = body + i * 8;
            values.set(signed ? i32(e + 4) : u32(e + 4), str(u32(e)));
          } else {
            const e = body + i * 12;
            values.set(u32(e + 4) + u32(e + 8) * 4294967296, str(u32(e)));
          }
        }
        out.set(name, values);
        wanted.delete(name);
      }
    }
    o = body + trailingBytes(kind, vlen);
  }
  return out;
}
