import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { DataPoint, Histogram, MetricData, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { LineWriter } from './consoleFormat';
import { formatAttributes, stdoutWriter } from './consoleFormat';

/**
 * A compact summary per collection: one line per data point, e.g.
 *   metric http.server.request.duration{service.name=node,...} count=3 sum=0.0123s
 *   metric kspan.events.received{family=sockets} 1234
 */
export class ConsoleMetricExporter implements PushMetricExporter {
  constructor(private readonly _write: LineWriter = stdoutWriter) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    try {
      for (const scope of metrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          for (const line of formatMetric(metric)) this._write(line);
        }
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
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

export function formatMetric(metric: MetricData): string[] {
  const { name } = metric.descriptor;
  // Annotations such as "{event}" are not units worth printing.
  const unit = metric.descriptor.unit.startsWith('{') ? '' : metric.descriptor.unit;
  const head = (point: DataPoint<unknown>): string => `metric ${name}{${formatAttributes(point.attributes)}}`;
  switch (metric.dataPointType) {
    case DataPointType.HISTOGRAM:
      return metric.dataPoints.map((p: DataPoint<Histogram>) => {
        const sum = p.value.sum === undefined ? '' : ` sum=${round(p.value.sum)}${unit}`;
        return `${head(p)} count=${p.value.count}${sum}`;
      });
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return metric.dataPoints.map(p => `${head(p)} count=${p.value.count} sum=${round(p.value.sum ?? 0)}${unit}`);
    case DataPointType.GAUGE:
    case DataPointType.SUM:
      return metric.dataPoints.map(p => `${head(p)} ${round(p.value)}${unit}`);
  }
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(6);
}
