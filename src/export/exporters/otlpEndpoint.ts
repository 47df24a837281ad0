/** Endpoint rules shared by the OTLP span and metric exporters. */

export type OtlpSignal = 'traces' | 'metrics';

/** Already a full signal URL, e.g. ".../v1/traces" or a gateway's ".../v1/spans". */
const SIGNAL_PATH = /\/v1\/[^/]+\/?$/;

function withScheme(endpoint: string, insecure: boolean): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${insecure ? 'http' : 'https'}://${endpoint}`;
}

/**
 * The Collector's otlphttp rule: `endpoint` is a base URL and the signal path
 * is appended, unless the user already wrote a /v1/... path.
 */
export function otlpHttpUrl(endpoint: string, signal: OtlpSignal, insecure: boolean): string {
  const url = withScheme(endpoint.trim(), insecure);
  if (SIGNAL_PATH.test(url)) return url;
  return `${url.replace(/\/+$/, '')}/v1/${signal}`;
}

/** gRPC ignores any path; the scheme only matters to the exporter for logs. */
export function otlpGrpcUrl(endpoint: string, insecure: boolean): string {
  return withScheme(endpoint.trim(), insecure);
}
