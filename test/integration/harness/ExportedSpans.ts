import * as fs from 'fs';

export type AttrValue = string | number | boolean;

/** A span read back from kspan's file exporter (OTLP/JSON), flattened for assertions. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: 'SERVER' | 'CLIENT' | 'INTERNAL' | 'OTHER';
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttrValue>;
  resource: Record<string, AttrValue>;
  statusCode: number;
}

const KINDS: Record<number, ExportedSpan['kind']> = { 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT' };

interface OtlpKeyValue { key: string; value: Record<string, unknown> }

function attrs(list: OtlpKeyValue[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list ?? []) {
    const v = kv.value;
    if ('stringValue' in v) out[kv.key] = String(v.stringValue);
    else if ('intValue' in v) out[kv.key] = Number(v.intValue);
    else if ('boolValue' in v) out[kv.key] = Boolean(v.boolValue);
    else if ('doubleValue' in v) out[kv.key] = Number(v.doubleValue);
  }
  return out;
}

/** Parses every line of an OTLP/JSON lines file (the Collector file-exporter format). */
export function readSpans(path: string): ExportedSpan[] {
  if (!fs.existsSync(path)) return [];
  const text = fs.readFileSync(path, 'utf8');
  // kspan may be appending a line right now (a large batch takes several write(2)s): only complete lines count.
  return parseSpans(text.slice(0, text.lastIndexOf('\n') + 1));
}

/** Parses OTLP/JSON lines text (the content of a file-exporter file, or complete lines of it). */
export function parseSpans(text: string): ExportedSpan[] {
  const out: ExportedSpan[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as { resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }> };
    for (const rs of req.resourceSpans ?? []) {
      const resource = attrs(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          out.push({
            traceId: String(s.traceId),
            spanId: String(s.spanId),
            parentSpanId: s.parentSpanId ? String(s.parentSpanId) : undefined,
            name: String(s.name),
            kind: KINDS[Number(s.kind)] ?? 'OTHER',
            startNs: BigInt(String(s.startTimeUnixNano)),
            endNs: BigInt(String(s.endTimeUnixNano)),
            attributes: attrs(s.attributes as OtlpKeyValue[]),
            resource,
            statusCode: Number((s.status as { code?: number } | undefined)?.code ?? 0),
          });
        }
      }
    }
  }
  return out;
}

export function durationMs(s: ExportedSpan): number {
  return Number(s.endNs - s.startNs) / 1e6;
}

/** Spans served on, or requested from, a given port. */
export function onPort(spans: ExportedSpan[], port: number): ExportedSpan[] {
  return spans.filter((s) => s.attributes['server.port'] === port || s.attributes['network.peer.port'] === port);
}

/** Reads an OTLP/JSON lines file incrementally: each call parses only complete lines appended since the last (the file grows large on a busy host). */
export class SpanFileReader {
  private offset = 0;
  private readonly spans: ExportedSpan[] = [];

  constructor(private readonly path: string) {}

  read(): ExportedSpan[] {
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r');
    } catch {
      return this.spans;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= this.offset) return this.spans;
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      const end = buf.lastIndexOf(0x0a) + 1;
      this.offset += end;
      for (const s of parseSpans(buf.toString('utf8', 0, end))) this.spans.push(s);
      return this.spans;
    } finally {
      fs.closeSync(fd);
    }
  }
}
