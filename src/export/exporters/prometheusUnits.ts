import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * OTel units as Prometheus name suffixes, per the OpenTelemetry
 * Prometheus-compatibility rules (the Collector's prometheus exporter and
 * Mimir's OTLP endpoint do the same). exporter-prometheus 0.223 leaves units
 * out of names; without this our scrape endpoint would say
 * http_server_request_duration while OTLP-fed backends say
 * http_server_request_duration_seconds, and dashboards could not serve both.
 */
const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  Hz: 'hertz',
  '%': 'percent',
};

/** "s" -> "seconds", "By/s" -> "bytes_per_second", "{event}" and "1" -> "" (no suffix). */
export function unitSuffix(unit: string): string {
  // Braced annotations are not units; "1" (dimensionless) gets no suffix here.
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '' || bare === '1') return '';
  const [num, per] = bare.split('/', 2) as [string, string | undefined];
  const word = (u: string): string => UNIT_WORDS[u] ?? u;
  const perWord = (u: string): string => (UNIT_WORDS[u] ?? u).replace(/s$/, '');
  const suffix = per ? `${num && num !== '1' ? word(num) : ''}_per_${perWord(per)}` : word(num);
  return suffix.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+/, '');
}

/** A copy of `metrics` whose metric names end with their unit suffix. */
export function withUnitSuffixes(metrics: ResourceMetrics): ResourceMetrics {
  return {
    resource: metrics.resource,
    scopeMetrics: metrics.scopeMetrics.map(scope => ({
      scope: scope.scope,
      metrics: scope.metrics.map(metric => {
        const suffix = unitSuffix(metric.descriptor.unit);
        const name = metric.descriptor.name;
        if (suffix === '' || name.endsWith(`_${suffix}`) || name.endsWith(`.${suffix}`)) return metric;
        return { ...metric, descriptor: { ...metric.descriptor, name: `${name}_${suffix}` } };
      }),
    })),
  };
}
