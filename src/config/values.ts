/**
 * Typed readers for parsed YAML values. Each names the key it reads in the
 * ConfigError it throws, so a user sees exactly which setting is wrong and
 * what was expected. Numbers and booleans may also arrive as strings (that is
 * what `${env:VAR}` produces), so the readers accept "9464" and "true" but not
 * "abc".
 */
import { ConfigError } from './ConfigError';
import { parseDurationMs } from './duration';

export type YamlMap = Record<string, unknown>;

export function joinKey(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

/** A short description of a value for "got ..." in messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A section that may be written empty (`console:`) reads as an empty map. */
export function readMap(value: unknown, key: string): YamlMap {
  if (value === null || value === undefined) return {};
  if (!isMap(value)) throw new ConfigError(key, `expected a map, got ${describe(value)}`);
  return value;
}

/** Rejects keys outside `allowed`, suggesting the nearest one to catch typos. */
export function checkKeys(map: YamlMap, allowed: readonly string[], parent: string, what = 'key'): void {
  for (const name of Object.keys(map)) {
    if (allowed.includes(name)) continue;
    const near = nearest(name, allowed);
    const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
    const expected = allowed.length === 0 ? 'no keys are accepted here' : `expected one of ${allowed.join(', ')}`;
    throw new ConfigError(joinKey(parent, name), `unknown ${what}${hint}; ${expected}`);
  }
}

function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export interface Range {
  min: number;
  max: number;
}

function rangeText(range: Range): string {
  return `${range.min}..${range.max}`;
}

export function toInteger(value: unknown, key: string, range: Range): number {
  const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    throw new ConfigError(key, `expected an integer ${rangeText(range)}, got ${describe(value)}`);
  }
  if (number < range.min || number > range.max) {
    throw new ConfigError(key, `expected an integer ${rangeText(range)}, got ${number}`);
  }
  return number;
}

export function readInteger(map: YamlMap, name: string, parent: string, fallback: number, range: Range): number {
  const value = map[name];
  return value === undefined || value === null ? fallback : toInteger(value, joinKey(parent, name), range);
}

export function readBoolean(map: YamlMap, name: string, parent: string, fallback: boolean): boolean {
  const value = readOptionalBoolean(map, name, parent);
  return value === undefined ? fallback : value;
}

export function readOptionalBoolean(map: YamlMap, name: string, parent: string): boolean | undefined {
  const value = map[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
    return value.trim().toLowerCase() === 'true';
  }
  throw new ConfigError(joinKey(parent, name), `expected true or false, got ${describe(value)}`);
}

export function toNonEmptyString(value: unknown, key: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(key, `expected a non-empty string, got ${describe(value)}`);
  }
  return value.trim();
}

export function readOptionalString(map: YamlMap, name: string, parent: string): string | undefined {
  const value = map[name];
  return value === undefined || value === null ? undefined : toNonEmptyString(value, joinKey(parent, name));
}

export function readDuration(map: YamlMap, name: string, parent: string, fallbackMs: number, rangeMs: Range): number {
  const value = map[name];
  if (value === undefined || value === null) return fallbackMs;
  const key = joinKey(parent, name);
  const expected = `expected a duration ${formatMs(rangeMs.min)}..${formatMs(rangeMs.max)} like "500ms", "5s", "1m" or a number of milliseconds`;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseDurationMs(value) : undefined;
  if (ms === undefined || !Number.isFinite(ms)) throw new ConfigError(key, `${expected}, got ${describe(value)}`);
  if (ms < rangeMs.min || ms > rangeMs.max) throw new ConfigError(key, `${expected}, got ${formatMs(ms)}`);
  return ms;
}

function formatMs(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** A list that may be omitted (fallback) or written empty. */
export function readList(map: YamlMap, name: string, parent: string): unknown[] | undefined {
  const value = map[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw new ConfigError(joinKey(parent, name), `expected a list, got ${describe(value)}`);
  }
  return value;
}

export function readIntegerList(map: YamlMap, name: string, parent: string, range: Range): number[] {
  const key = joinKey(parent, name);
  return (readList(map, name, parent) ?? []).map((item, i) => toInteger(item, `${key}[${i}]`, range));
}

export function readStringList(map: YamlMap, name: string, parent: string): string[] {
  const key = joinKey(parent, name);
  return (readList(map, name, parent) ?? []).map((item, i) => toNonEmptyString(item, `${key}[${i}]`));
}

/** Header-like maps: keys to strings; numbers and booleans are stringified, since headers are text. */
export function readStringMap(map: YamlMap, name: string, parent: string): Record<string, string> {
  const key = joinKey(parent, name);
  const result: Record<string, string> = {};
  for (const [entry, value] of Object.entries(readMap(map[name], key))) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      result[entry] = String(value);
    } else {
      throw new ConfigError(joinKey(key, entry), `expected a string, got ${describe(value)}`);
    }
  }
  return result;
}
