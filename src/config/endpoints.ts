/**
 * Endpoint syntax shared by the exporters: "host:port" (collector style, no
 * scheme) and http(s) URLs. Validation happens here so a typo fails at start-up
 * with the key named, not at the first export.
 */
import { ConfigError } from './ConfigError';
import { describe } from './values';

export interface HostPort {
  /** Without IPv6 brackets, ready for net.Server#listen / a URL builder. */
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.%\w]+)\]|([^\s:[\]/]*)):(\d{1,5})$/;
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** "host:port", "[::1]:port", or ":port" (host ""), port 1..65535. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = HOST_PORT.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}

export function hasScheme(endpoint: string): boolean {
  return HAS_SCHEME.test(endpoint);
}

/** "http" or "https" for a URL endpoint, undefined for a scheme-less one. */
export function schemeOf(endpoint: string): 'http' | 'https' | undefined {
  const match = /^(https?):\/\//i.exec(endpoint);
  return match === null ? undefined : (match[1]!.toLowerCase() as 'http' | 'https');
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** OTLP/gRPC accepts "host:port" or an http(s) URL (the scheme then decides TLS). */
export function checkGrpcEndpoint(value: unknown, key: string): string {
  if (typeof value === 'string') {
    const text = value.trim();
    const ok = hasScheme(text) ? isHttpUrl(text) : (parseHostPort(text)?.host ?? '') !== '';
    if (ok) return text;
  }
  throw new ConfigError(key, `expected "host:port" or an http(s):// URL, got ${describe(value)}`);
}

/** OTLP/HTTP needs a full http(s) URL. */
export function checkHttpUrl(value: unknown, key: string): string {
  if (typeof value === 'string' && isHttpUrl(value.trim())) return value.trim();
  throw new ConfigError(key, `expected an http:// or https:// URL, got ${describe(value)}`);
}
