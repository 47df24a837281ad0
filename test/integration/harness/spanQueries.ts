import { ExportedSpan, onPort } from './ExportedSpans';

export type Kind = 'SERVER' | 'CLIENT';

/** Spans of one kind on a port, optionally from one service, sorted by start time. */
export function spansOf(spans: ExportedSpan[], kind: Kind, port: number, service?: string): ExportedSpan[] {
  return onPort(spans, port)
    .filter((s) => s.kind === kind && (service === undefined || s.resource['service.name'] === service))
    .sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
}

/** The SERVER spans whose parent is the given span. */
export function childrenOf(spans: ExportedSpan[], parent: ExportedSpan): ExportedSpan[] {
  return spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);
}

/** One line per span, for assertion messages. */
export function describeSpans(spans: ExportedSpan[]): string {
  return spans.map((s) => `  ${s.kind} ${s.name} ${s.resource['service.name']} pid=${s.resource['process.pid']} ` +
    `trace=${s.traceId} span=${s.spanId} parent=${s.parentSpanId ?? '-'} ${JSON.stringify(s.attributes)}`).join('\n');
}

/** Like KspanProcess.waitForSpans, but resolves undefined on timeout, so the caller can say what was missing. */
export async function spansWithin(read: () => ExportedSpan[], predicate: (spans: ExportedSpan[]) => boolean, timeoutMs: number): Promise<ExportedSpan[] | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = read();
    if (predicate(spans)) return spans;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The request spans (SERVER and CLIENT), without kernel child spans (INTERNAL). */
export function requestSpans(spans: ExportedSpan[]): ExportedSpan[] {
  return spans.filter((s) => s.kind === 'SERVER' || s.kind === 'CLIENT');
}
