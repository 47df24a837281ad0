import { ValueType } from '@opentelemetry/api';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { CollectionResult, DataPoint, Histogram, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';

interface Series {
  attributes: Attributes;
  startTime: HrTime;
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

interface Instrument {
  name: string;
  description: string;
  series: Map<string, Series>;
}

function hrNow(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

/**
 * Cumulative explicit-bucket histograms of request durations, aggregated
 * here and handed to the metric readers at collection. One is recorded per
 * exported span, and the SDK's Histogram.record hashes the attribute set on
 * every call; here the caller names the series with a key it builds cheaply
 * and attributes are only materialised for a new series.
 */
export class DurationHistogramProducer implements MetricProducer {
  private readonly instruments: Instrument[] = [];

  constructor(private readonly bounds: readonly number[], private readonly scope: { name: string; version?: string }) {}

  /** Declares a histogram (unit seconds); returns its index for record(). */
  define(name: string, description: string): number {
    return this.instruments.push({ name, description, series: new Map() }) - 1;
  }

  /** Adds one value to the series `key` of instrument `index`; `attributes` is called only for a new series. */
  record(index: number, seconds: number, key: string, attributes: () => Attributes): void {
    const instrument = this.instruments[index];
    let s = instrument.series.get(key);
    if (!s) {
      s = { attributes: attributes(), startTime: hrNow(), counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity };
      instrument.series.set(key, s);
    }
    let i = 0;
    // Upper bounds are inclusive, as in the SDK's explicit-bucket aggregation.
    while (i < this.bounds.length && seconds > this.bounds[i]) i++;
    s.counts[i]++;
    s.sum += seconds;
    s.count++;
    if (seconds < s.min) s.min = seconds;
    if (seconds > s.max) s.max = seconds;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrNow();
    const metrics: MetricData[] = [];
    for (const instrument of this.instruments) {
      if (instrument.series.size === 0) continue;
      const dataPoints: DataPoint<Histogram>[] = [];
      for (const s of instrument.series.values()) {
        dataPoints.push({
          startTime: s.startTime,
          endTime,
          attributes: s.attributes,
          value: { buckets: { boundaries: [...this.bounds], counts: [...s.counts] }, sum: s.sum, count: s.count, min: s.min, max: s.max },
        });
      }
      metrics.push({
        descriptor: { name: instrument.name, description: instrument.description, unit: 's', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints,
      });
    }
    return {
      resourceMetrics: { resource: resourceFromAttributes({}), scopeMetrics: metrics.length === 0 ? [] : [{ scope: this.scope, metrics }] },
      errors: [],
    };
  }
}
