import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeTraceJson } from '../otlp';
import { JsonLinesFile } from './JsonLinesFile';

/**
 * Writes each export call as one line holding an OTLP/JSON
 * ExportTraceServiceRequest ({"resourceSpans":[...]}) — the OpenTelemetry
 * Collector file exporter's format, so its otlpjsonfile receiver and our tests
 * can read it back. Encoded by kspan's OTLP/JSON encoder (the SDK JSON
 * serializer's output, cheaper): trace/span ids as hex, timestamps as
 * decimal nanosecond strings.
 */
export class FileSpanExporter implements SpanExporter {
  private readonly _file: JsonLinesFile;

  constructor(path: string) {
    this._file = new JsonLinesFile(path);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let json: Uint8Array;
    try {
      json = encodeTraceJson(spans);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    this._file.append(json).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  forceFlush(): Promise<void> {
    return this._file.flush();
  }

  shutdown(): Promise<void> {
    return this._file.close();
  }
}
