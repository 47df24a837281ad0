/** A Host header split into name and port. */
export interface HostPort {
  name: string;
  port?: number;
}

export function parseHost(value: string | undefined): HostPort | undefined {
  if (!value) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const name = m[1].replace(/^\[|\]$/g, '');
  return m[2] !== undefined ? { name, port: Number(m[2]) } : { name };
}
