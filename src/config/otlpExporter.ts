/**
 * The otlp (gRPC) and otlphttp exporter sections, as written. Settings left
 * out stay undefined here so that OTEL_EXPORTER_OTLP_* variables can fill
 * them later (otlpEnv.ts): explicit YAML always wins over the environment.
 */
import { DEFAULT_OTLP_TIMEOUT_MS, MAX_OTLP_TIMEOUT_MS } from './defaults';
import { checkGrpcEndpoint, checkHttpUrl } from './endpoints';
import { checkKeys, joinKey, readDuration, readMap, readOptionalBoolean, readStringMap, YamlMap } from './values';

export interface OtlpExporterSpec {
  type: 'otlp' | 'otlphttp';
  name: string;
  endpoint: string | undefined;
  /** otlphttp only: full URLs, used as-is (collector's traces_endpoint / metrics_endpoint). */
  tracesEndpoint: string | undefined;
  metricsEndpoint: string | undefined;
  /** tls.insecure as written; only consulted for scheme-less gRPC endpoints. */
  insecure: boolean | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
}

const GRPC_KEYS = ['endpoint', 'tls', 'headers', 'timeout'] as const;
const HTTP_KEYS = [...GRPC_KEYS, 'traces_endpoint', 'metrics_endpoint'] as const;

export function parseOtlpExporter(type: 'otlp' | 'otlphttp', name: string, section: YamlMap, key: string): OtlpExporterSpec {
  checkKeys(section, type === 'otlp' ? GRPC_KEYS : HTTP_KEYS, key);
  const tlsKey = joinKey(key, 'tls');
  const tls = readMap(section.tls, tlsKey);
  checkKeys(tls, ['insecure'], tlsKey);
  const checkEndpoint = type === 'otlp' ? checkGrpcEndpoint : checkHttpUrl;
  const optional = (field: string, check: (value: unknown, key: string) => string): string | undefined =>
    section[field] === undefined || section[field] === null ? undefined : check(section[field], joinKey(key, field));
  return {
    type,
    name,
    endpoint: optional('endpoint', checkEndpoint),
    tracesEndpoint: optional('traces_endpoint', checkHttpUrl),
    metricsEndpoint: optional('metrics_endpoint', checkHttpUrl),
    insecure: readOptionalBoolean(tls, 'insecure', tlsKey),
    headers: readStringMap(section, 'headers', key),
    timeoutMs: readDuration(section, 'timeout', key, DEFAULT_OTLP_TIMEOUT_MS, { min: 1, max: MAX_OTLP_TIMEOUT_MS }),
  };
}
