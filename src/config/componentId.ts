/**
 * Collector component ids: "type" or "type/name" ("otlp", "otlp/jaeger",
 * "traces/frontend"). The type picks the implementation; the name only tells
 * two instances of one type apart.
 */
import { ConfigError } from './ConfigError';

export interface ComponentId {
  type: string;
  /** The part after "/", or undefined for a bare type. */
  name: string | undefined;
}

export function parseComponentId(id: string, key: string, what: string): ComponentId {
  const slash = id.indexOf('/');
  const type = slash < 0 ? id : id.slice(0, slash);
  const name = slash < 0 ? undefined : id.slice(slash + 1);
  if (type === '' || /\s/.test(type) || (name !== undefined && (name === '' || /\s/.test(name)))) {
    throw new ConfigError(key, `invalid ${what} id "${id}"; expected "type" or "type/name" without spaces`);
  }
  return { type, name };
}
