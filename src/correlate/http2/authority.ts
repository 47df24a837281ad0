/**
 * Host and port of an HTTP/2 ":authority" (the Host header's syntax,
 * RFC 9113 section 8.3.1): "name", "name:port", "[v6]:port".
 */
export function parseAuthority(value: string | undefined): { name: string; port?: number } | undefined {
  if (!value) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const name = m[1].replace(/^\[|\]$/g, '');
  return m[2] !== undefined ? { name, port: Number(m[2]) } : { name };
}

/** Keeps parameter names, replaces values: "a=1&b" → "a=REDACTED&b" (as for HTTP/1). */
export function redactQuery(query: string): string {
  return query.split('&').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? p : `${p.slice(0, eq)}=REDACTED`;
  }).join('&');
}
