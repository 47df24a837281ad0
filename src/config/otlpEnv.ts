/**
 * Binds an otlp/otlphttp exporter to the signal of the pipeline that uses it,
 * filling what the YAML left out from the OTel SDK environment variables
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/):
 *
 *   endpoint: YAML endpoint > OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT > OTEL_EXPORTER_OTLP_ENDPOINT > default
 *   headers:  YAML headers > OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS > OTEL_EXPORTER_OTLP_HEADERS (merged per key)
 *   insecure: an http:// or https:// scheme decides; for a scheme-less gRPC endpoint
 *             YAML tls.insecure > OTEL_EXPORTER_OTLP_<SIGNAL>_INSECURE > OTEL_EXPORTER_OTLP_INSECURE > false
 *
 * For otlphttp, `endpoint` stays the base URL (the generic variable is a base
 * too) and `signalEndpoint` is the full URL the exporter posts to: the signal
 * variable or traces_endpoint/metrics_endpoint as-is, else base + "/v1/<signal>".
 * As the spec says, an empty variable counts as unset.
 */
import type { OtlpExporterConfig } from './types';
import { DEFAULT_OTLP_GRPC_ENDPOINT, DEFAULT_OTLP_HTTP_ENDPOINT, DEFAULT_OTLP_INSECURE } from './defaults';
import { checkGrpcEndpoint, checkHttpUrl, schemeOf } from './endpoints';
import type { OtlpExporterSpec } from './otlpExporter';

export type Signal = 'traces' | 'metrics';

const PREFIX = 'OTEL_EXPORTER_OTLP_';

export function bindOtlpExporter(
  spec: OtlpExporterSpec,
  signal: Signal,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): OtlpExporterConfig {
  const key = `exporters.${spec.name}`;
  const SIGNAL = signal.toUpperCase();
  const fromEnv = (suffix: string, check: (value: unknown, key: string) => string): string | undefined => {
    const signalVar = `${PREFIX}${SIGNAL}_${suffix}`;
    const genericVar = `${PREFIX}${suffix}`;
    if (nonEmpty(env[signalVar]) !== undefined) return check(nonEmpty(env[signalVar]), signalVar);
    if (nonEmpty(env[genericVar]) !== undefined) return check(nonEmpty(env[genericVar]), genericVar);
    return undefined;
  };

  let endpoint: string;
  let signalEndpoint: string | undefined;
  if (spec.type === 'otlp') {
    endpoint = spec.endpoint ?? fromEnv('ENDPOINT', checkGrpcEndpoint) ?? DEFAULT_OTLP_GRPC_ENDPOINT;
  } else {
    const yamlSignal = signal === 'traces' ? spec.tracesEndpoint : spec.metricsEndpoint;
    const explicit = spec.endpoint !== undefined || yamlSignal !== undefined;
    const signalVar = `${PREFIX}${SIGNAL}_ENDPOINT`;
    const genericVar = `${PREFIX}ENDPOINT`;
    const envSignal = explicit ? undefined : nonEmpty(env[signalVar]);
    const envBase = spec.endpoint !== undefined ? undefined : nonEmpty(env[genericVar]);
    endpoint = stripTrailingSlashes(
      spec.endpoint ?? (envBase === undefined ? DEFAULT_OTLP_HTTP_ENDPOINT : checkHttpUrl(envBase, genericVar)),
    );
    signalEndpoint =
      yamlSignal ?? (envSignal === undefined ? `${endpoint}/v1/${signal}` : checkHttpUrl(envSignal, signalVar));
  }

  const scheme = schemeOf(signalEndpoint ?? endpoint);
  let insecure: boolean;
  if (scheme !== undefined) {
    insecure = scheme === 'http';
    if (spec.insecure !== undefined && spec.insecure !== insecure) {
      warnings.push(`${key}.tls.insecure: ignored; the ${scheme}:// scheme of the endpoint decides whether TLS is used`);
    }
  } else {
    insecure = spec.insecure ?? parseEnvBoolean(env, `${PREFIX}${SIGNAL}_INSECURE`, warnings) ??
      parseEnvBoolean(env, `${PREFIX}INSECURE`, warnings) ?? DEFAULT_OTLP_INSECURE;
  }

  const headers = {
    ...parseEnvHeaders(env, `${PREFIX}HEADERS`, warnings),
    ...parseEnvHeaders(env, `${PREFIX}${SIGNAL}_HEADERS`, warnings),
    ...spec.headers,
  };

  const config: OtlpExporterConfig = { type: spec.type, name: spec.name, endpoint, insecure, headers, timeoutMs: spec.timeoutMs };
  if (signalEndpoint !== undefined) config.signalEndpoint = signalEndpoint;
  return config;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The spec's boolean: "true" (any case) is true, "false" false; anything else is warned about and ignored. */
function parseEnvBoolean(env: NodeJS.ProcessEnv, name: string, warnings: string[]): boolean | undefined {
  const value = nonEmpty(env[name]);
  if (value === undefined) return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  warnings.push(`${name}: expected true or false, got ${JSON.stringify(value)}; ignored`);
  return undefined;
}

/** "k=v,k2=v2" with percent-encoded values (the W3C baggage format the spec names). */
function parseEnvHeaders(env: NodeJS.ProcessEnv, name: string, warnings: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const value = nonEmpty(env[name]);
  if (value === undefined) return headers;
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const header = eq < 0 ? '' : pair.slice(0, eq).trim();
    let decoded: string | undefined;
    try {
      decoded = eq < 0 ? undefined : decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      decoded = undefined;
    }
    if (header === '' || decoded === undefined) {
      warnings.push(`${name}: ignoring malformed entry ${JSON.stringify(pair.trim())}; expected key=value`);
      continue;
    }
    headers[header] = decoded;
  }
  return headers;
}
