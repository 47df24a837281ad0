import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ExportFailureTracker } from './ExportFailureTracker';

/**
 * Counts a metric exporter's failures by name (see ExportFailureTracker) and
 * makes its shutdown idempotent, so the pipeline can shut it down directly when
 * the reader's final flush failed and the SDK skipped the exporter's shutdown.
 */
export class CountingMetricExporter implements PushMetricExporter {
  private _shutdown: Promise<void> | undefined;

  // The reader asks the exporter for temporality/aggregation; pass the
  // inner exporter's answers through or OTLP's preferences would be lost.
  readonly selectAggregationTemporality?: PushMetricExporter['selectAggregationTemporality'];
  readonly selectAggregation?: PushMetricExporter['selectAggregation'];

  constructor(
    readonly name: string,
    private readonly _inner: PushMetricExporter,
    private readonly _tracker: ExportFailureTracker,
  ) {
    if (_inner.selectAggregationTemporality) {
      this.selectAggregationTemporality = _inner.selectAggregationTemporality.bind(_inner);
    }
    if (_inner.selectAggregation) this.selectAggregation = _inner.selectAggregation.bind(_inner);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let reported = false;
    const finish = (result: ExportResult): void => {
      if (reported) return;
      reported = true;
      if (result.code === ExportResultCode.SUCCESS) this._tracker.succeeded(this.name);
      else this._tracker.failed(this.name, result.error);
      resultCallback(result);
    };
    try {
      this._inner.export(metrics, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    return this._inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this._shutdown ??= this._inner.shutdown();
    return this._shutdown;
  }
}
