import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { JsonLinesFile } from './JsonLinesFile';

/**
 * Writes each export call as one line holding an OTLP/JSON
 * ExportTraceServiceRequest ({"resourceSpans":[...]}) — the OpenTelemetry
 * Collector file exporter's format, so its otlpjsonfile receiver and our tests
 * can read it back. The JSON serializer keeps trace/span ids as hex and
 * timestamps as decimal nanosecond strings.
 */
export class FileSpanExporter implements SpanExporter {
  private readonly _file: JsonLinesFile;

  constructor(path: string) {
    this._file = new JsonLinesFile(path);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let json: Uint8Array | undefined;
    try {
      json = JsonTraceSerializer.serializeRequest(spans);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    if (!json) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('spans could not be serialized') });
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
