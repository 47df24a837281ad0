/**
 * A minimal protobuf wire-format reader, enough to check what the OTLP/gRPC
 * exporter put on the wire (otlp-transformer exposes no request decoder).
 */

interface Field {
  no: number;
  varint?: bigint;
  bytes?: Uint8Array;
  fixed64?: bigint;
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined) throw new Error('truncated varint');
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, next] = readVarint(buf, pos);
    pos = next;
    const no = Number(tag >> 3n);
    switch (Number(tag & 7n)) {
      case 0: {
        const [value, after] = readVarint(buf, pos);
        out.push({ no, varint: value });
        pos = after;
        break;
      }
      case 1:
        out.push({ no, fixed64: Buffer.from(buf.subarray(pos, pos + 8)).readBigUInt64LE() });
        pos += 8;
        break;
      case 2: {
        const [len, after] = readVarint(buf, pos);
        out.push({ no, bytes: buf.subarray(after, after + Number(len)) });
        pos = after + Number(len);
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type in tag ${tag}`);
    }
  }
  return out;
}

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('utf8');
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');
const sub = (list: Field[], no: number): Field[] => list.filter(f => f.no === no);

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
}

export interface DecodedResourceSpans {
  resource: Record<string, string | bigint>;
  spans: DecodedSpan[];
}

/** Resource { repeated KeyValue attributes = 1 }; AnyValue string = 1, int = 3. */
function decodeResource(buf: Uint8Array): Record<string, string | bigint> {
  const attrs: Record<string, string | bigint> = {};
  for (const kv of sub(fields(buf), 1)) {
    const parts = fields(kv.bytes!);
    const key = text(sub(parts, 1)[0]?.bytes);
    const any = fields(sub(parts, 2)[0]?.bytes ?? new Uint8Array());
    const str = sub(any, 1)[0];
    const int = sub(any, 3)[0];
    if (str) attrs[key] = text(str.bytes);
    else if (int) attrs[key] = int.varint!;
  }
  return attrs;
}

/** ExportTraceServiceRequest -> ResourceSpans(1) -> resource(1), ScopeSpans(2) -> Span(2). */
export function decodeTraceRequest(body: Uint8Array): DecodedResourceSpans[] {
  return sub(fields(body), 1).map(rs => {
    const rsFields = fields(rs.bytes!);
    const resource = decodeResource(sub(rsFields, 1)[0]?.bytes ?? new Uint8Array());
    const spans = sub(rsFields, 2).flatMap(scope =>
      sub(fields(scope.bytes!), 2).map(s => {
        const f = fields(s.bytes!);
        const one = (no: number): Field | undefined => sub(f, no)[0];
        return {
          traceId: hex(one(1)?.bytes),
          spanId: hex(one(2)?.bytes),
          parentSpanId: hex(one(4)?.bytes),
          name: text(one(5)?.bytes),
          kind: Number(one(6)?.varint ?? 0n),
          startTimeUnixNano: one(7)?.fixed64 ?? 0n,
          endTimeUnixNano: one(8)?.fixed64 ?? 0n,
        };
      }),
    );
    return { resource, spans };
  });
}
