import { ValueType } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { CollectionResult, DataPoint, Histogram, MetricProducer } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';

/** One process's cumulative kernel histogram (bounds are upper bounds, counts has one more, open-ended, slot). */
export interface KernelHistogramSample {
  /** Process the histogram belongs to; deltas are tracked per pid. */
  pid: number;
  /** Data-point attributes (e.g. service.name). */
  attributes: Record<string, string>;
  boundsSeconds: number[];
  counts: number[];
  sumSeconds: number;
}

export type KernelHistogramSource = () => KernelHistogramSample[];

interface Series {
  attributes: Record<string, string>;
  bounds: number[];
  counts: number[];
  sum: number;
  count: number;
}

function hrNow(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

/**
 * Histograms the kernel aggregates (kernel.runqueue.latency): read at each
 * collection and handed to the readers as cumulative histogram points, so
 * millions of waits cost one map read instead of one record() each. Per-pid
 * deltas are summed per attribute set, so a process that exits (its kernel
 * entry evicted) does not make a cumulative series go backwards.
 */
export class KernelHistogramProducer implements MetricProducer {
  private source: KernelHistogramSource | undefined;
  private readonly lastByPid = new Map<number, { counts: number[]; sum: number }>();
  private readonly series = new Map<string, Series>();
  private readonly startTime = hrNow();

  constructor(private readonly name: string, private readonly description: string) {}

  setSource(source: KernelHistogramSource | undefined): void {
    this.source = source;
  }

  async collect(): Promise<CollectionResult> {
    if (this.source) this.accumulate(this.source());
    const endTime = hrNow();
    const dataPoints: DataPoint<Histogram>[] = [...this.series.values()].map((s) => ({
      startTime: this.startTime,
      endTime,
      attributes: s.attributes,
      value: { buckets: { boundaries: s.bounds, counts: [...s.counts] }, sum: s.sum, count: s.count },
    }));
    return {
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: dataPoints.length === 0 ? [] : [{
          scope: { name: 'kspan' },
          metrics: [{
            descriptor: { name: this.name, description: this.description, unit: 's', valueType: ValueType.DOUBLE },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints,
          }],
        }],
      },
      errors: [],
    };
  }

  private accumulate(samples: KernelHistogramSample[]): void {
    for (const s of samples) {
      const key = JSON.stringify(s.attributes);
      let series = this.series.get(key);
      if (!series) {
        series = { attributes: s.attributes, bounds: s.boundsSeconds, counts: new Array(s.counts.length).fill(0), sum: 0, count: 0 };
        this.series.set(key, series);
      }
      const last = this.lastByPid.get(s.pid);
      // A smaller total means the kernel entry was recreated: count from zero.
      const reset = !last || s.counts.reduce((a, b) => a + b, 0) < last.counts.reduce((a, b) => a + b, 0);
      for (let i = 0; i < s.counts.length && i < series.counts.length; i++) {
        const d = s.counts[i] - (reset ? 0 : last!.counts[i] ?? 0);
        if (d > 0) {
          series.counts[i] += d;
          series.count += d;
        }
      }
      series.sum += Math.max(0, s.sumSeconds - (reset ? 0 : last!.sum));
      this.lastByPid.set(s.pid, { counts: s.counts, sum: s.sumSeconds });
    }
  }
}
