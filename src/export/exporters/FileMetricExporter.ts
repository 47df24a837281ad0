import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { JsonLinesFile } from './JsonLinesFile';

/**
 * Writes each collection as one line holding an OTLP/JSON
 * ExportMetricsServiceRequest ({"resourceMetrics":[...]}), the Collector file
 * exporter's format. Temporality is the reader's default (cumulative).
 */
export class FileMetricExporter implements PushMetricExporter {
  private readonly _file: JsonLinesFile;

  constructor(path: string) {
    this._file = new JsonLinesFile(path);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let json: Uint8Array | undefined;
    try {
      json = JsonMetricsSerializer.serializeRequest(metrics);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    if (!json) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('metrics could not be serialized') });
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
