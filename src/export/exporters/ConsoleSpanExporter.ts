import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { LineWriter } from './consoleFormat';
import { formatMillis, stdoutWriter } from './consoleFormat';

/**
 * One compact human line per span, for watching kspan work from a terminal:
 *   SERVER GET /users 200 12.3ms service=node pid=123 trace=<32 hex> span=<16 hex> parent=<16 hex|->
 * The full trace id is printed so it can be pasted into Jaeger or Tempo.
 */
export class ConsoleSpanExporter implements SpanExporter {
  constructor(private readonly _write: LineWriter = stdoutWriter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      for (const span of spans) this._write(formatSpan(span));
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      // stdout closed (EPIPE) must not take the agent down.
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function formatSpan(span: ReadableSpan): string {
  const ctx = span.spanContext();
  const a = span.attributes;
  const code = a['http.response.status_code'] ?? a['rpc.grpc.status_code'];
  const res = span.resource.attributes;
  const parts = [SpanKind[span.kind] ?? String(span.kind), span.name];
  if (code !== undefined) parts.push(String(code));
  parts.push(formatMillis(span.duration));
  if (span.status.code === SpanStatusCode.ERROR) {
    parts.push(span.status.message ? `ERROR(${span.status.message})` : 'ERROR');
  }
  parts.push(
    `service=${String(res['service.name'] ?? '?')}`,
    `pid=${String(res['process.pid'] ?? '?')}`,
    `trace=${ctx.traceId}`,
    `span=${ctx.spanId}`,
    `parent=${span.parentSpanContext?.spanId ?? '-'}`,
  );
  return parts.join(' ');
}
