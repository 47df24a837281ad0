/**
 * Entry point of the config package: finds the config (explicit text, a
 * path, KSPAN_CONFIG, or the embedded default), parses the YAML, substitutes
 * `${env:...}` in string values, then validates and resolves it. Problems the
 * user must fix throw ConfigError; those kspan can live with are returned as
 * warnings for the caller to log.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { KspanConfig } from './types';
import { ConfigError } from './ConfigError';
import { EMBEDDED_DEFAULT_SOURCE, EMBEDDED_DEFAULT_YAML } from './defaults';
import { substituteEnv } from './envSubstitution';
import { resolveConfig } from './resolve';
import { isMap } from './values';

export interface LoadConfigOptions {
  /** Config file to read; also the `source` label when yamlText is given. */
  path?: string;
  /** Config text to use instead of reading a file (tests, stdin). */
  yamlText?: string;
  /** Environment for substitution and overrides; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface LoadConfigResult {
  config: KspanConfig;
  /** Human-readable, one per line, not yet printed. */
  warnings: string[];
}

export function loadConfig(options: LoadConfigOptions = {}): LoadConfigResult {
  const env = options.env ?? process.env;
  const { text, source } = locate(options, env);
  const warnings: string[] = [];
  try {
    const root = parseYaml(text, warnings);
    const substituted = substituteEnv(root, env, warnings) as Record<string, unknown>;
    const config = resolveConfig(substituted, env, warnings, source);
    // The same exporter in several pipelines can raise the same env warning more than once.
    return { config, warnings: [...new Set(warnings)] };
  } catch (error) {
    throw error instanceof ConfigError ? error.withSource(source) : error;
  }
}

function locate(options: LoadConfigOptions, env: NodeJS.ProcessEnv): { text: string; source: string } {
  if (options.yamlText !== undefined) return { text: options.yamlText, source: options.path ?? 'inline config' };
  const fromEnv = env.KSPAN_CONFIG?.trim();
  const path = options.path ?? (fromEnv === '' ? undefined : fromEnv);
  if (path === undefined) return { text: EMBEDDED_DEFAULT_YAML, source: EMBEDDED_DEFAULT_SOURCE };
  try {
    return { text: readFileSync(path, 'utf8'), source: path };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(options.path === undefined ? 'KSPAN_CONFIG' : '', `cannot read config file ${path}: ${reason}`);
  }
}

function parseYaml(text: string, warnings: string[]): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return '';
    const { line, col } = lineCounter.linePos(offset);
    return ` at line ${line}, column ${col}`;
  };
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    throw new ConfigError('', `YAML syntax error${at(firstError.pos[0])}: ${firstLine(firstError.message)}`);
  }
  for (const warning of doc.warnings) warnings.push(`YAML warning${at(warning.pos[0])}: ${firstLine(warning.message)}`);

  let root: unknown;
  try {
    root = doc.toJS();
  } catch (error) {
    // e.g. an alias bomb over yaml's maxAliasCount.
    throw new ConfigError('', `YAML error: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
  if (root === null || root === undefined) return {};
  if (!isMap(root)) throw new ConfigError('', 'expected a map of sections (receivers, processors, exporters, service) at the top level');
  return root;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
