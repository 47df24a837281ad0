import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportFailureTracker } from './ExportFailureTracker';

/** Told about every finished export call, e.g. to count exported spans. */
export type ExportResultListener = (exporter: string, items: number, ok: boolean) => void;

/**
 * Wraps an exporter so its failures are counted by name and can never throw
 * into the BatchSpanProcessor (whose failures would otherwise only reach the
 * SDK's global error handler).
 */
export class CountingSpanExporter implements SpanExporter {
  constructor(
    readonly name: string,
    private readonly _inner: SpanExporter,
    private readonly _tracker: ExportFailureTracker,
    private readonly _onResult?: ExportResultListener,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let reported = false;
    const finish = (result: ExportResult): void => {
      if (reported) return;
      reported = true;
      const ok = result.code === ExportResultCode.SUCCESS;
      if (ok) this._tracker.succeeded(this.name);
      else this._tracker.failed(this.name, result.error);
      this._onResult?.(this.name, spans.length, ok);
      resultCallback(result);
    };
    try {
      this._inner.export(spans, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    return this._inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this._inner.shutdown();
  }
}
