/**
 * kspan's own log level: service.telemetry.logs.level, overridden by
 * KSPAN_LOG_LEVEL so an operator can turn on debug logs without editing the
 * mounted config. Case-insensitive; stored lower-case.
 */
import type { KspanConfig } from './types';
import { ConfigError } from './ConfigError';
import { DEFAULT_LOG_LEVEL } from './defaults';
import { checkKeys, describe, joinKey, readMap } from './values';

type LogLevel = KspanConfig['logLevel'];
const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export function resolveLogLevel(telemetrySection: unknown, env: NodeJS.ProcessEnv): LogLevel {
  const telemetryKey = 'service.telemetry';
  const telemetry = readMap(telemetrySection, telemetryKey);
  checkKeys(telemetry, ['logs'], telemetryKey);
  const logsKey = joinKey(telemetryKey, 'logs');
  const logs = readMap(telemetry.logs, logsKey);
  checkKeys(logs, ['level'], logsKey);

  const fromEnv = env.KSPAN_LOG_LEVEL?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return toLevel(fromEnv, 'KSPAN_LOG_LEVEL');
  if (logs.level === undefined || logs.level === null) return DEFAULT_LOG_LEVEL;
  return toLevel(logs.level, joinKey(logsKey, 'level'));
}

function toLevel(value: unknown, key: string): LogLevel {
  const level = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (level !== undefined && (LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new ConfigError(key, `expected one of ${LEVELS.join(', ')}, got ${describe(value)}`);
}
