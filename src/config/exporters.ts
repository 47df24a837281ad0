/**
 * The `exporters:` section: component ids to validated exporter specs, and
 * binding a spec to the signal of a pipeline that uses it.
 */
import type { ExporterConfig, OtlpExporterConfig, PrometheusExporterConfig } from './types';
import { ConfigError } from './ConfigError';
import { parseComponentId } from './componentId';
import { DEFAULT_PROMETHEUS_HOST, DEFAULT_PROMETHEUS_PORT } from './defaults';
import { parseHostPort } from './endpoints';
import { bindOtlpExporter, Signal } from './otlpEnv';
import { OtlpExporterSpec, parseOtlpExporter } from './otlpExporter';
import { checkKeys, describe, joinKey, readMap, readOptionalString, YamlMap } from './values';

/** Exporters that need no per-signal binding are already in their final shape. */
type FixedExporterConfig = Exclude<ExporterConfig, OtlpExporterConfig>;
export type ExporterSpec = OtlpExporterSpec | FixedExporterConfig;

function isOtlpSpec(spec: ExporterSpec): spec is OtlpExporterSpec {
  return spec.type === 'otlp' || spec.type === 'otlphttp';
}

/** "debug" is the collector's name for the console exporter. */
const EXPORTER_TYPES = ['otlp', 'otlphttp', 'file', 'console', 'debug', 'prometheus'];

const VERBOSITIES = ['basic', 'normal', 'detailed'];

export function parseExporters(section: unknown): Map<string, ExporterSpec> {
  const specs = new Map<string, ExporterSpec>();
  for (const [id, raw] of Object.entries(readMap(section, 'exporters'))) {
    specs.set(id, parseExporter(id, raw, joinKey('exporters', id)));
  }
  return specs;
}

function parseExporter(id: string, raw: unknown, key: string): ExporterSpec {
  const { type } = parseComponentId(id, key, 'exporter');
  if (!EXPORTER_TYPES.includes(type)) {
    throw new ConfigError(key, `unknown exporter type "${type}"; expected one of otlp, otlphttp, file, console (or debug), prometheus`);
  }
  const section = readMap(raw, key);
  switch (type) {
    case 'otlp':
    case 'otlphttp':
      return parseOtlpExporter(type, id, section, key);
    case 'file':
      return parseFileExporter(id, section, key);
    case 'prometheus':
      return parsePrometheusExporter(id, section, key);
    default:
      return parseConsoleExporter(id, section, key);
  }
}

function parseFileExporter(name: string, section: YamlMap, key: string): ExporterSpec {
  checkKeys(section, ['path'], key);
  const path = readOptionalString(section, 'path', key);
  if (path === undefined) throw new ConfigError(joinKey(key, 'path'), 'required; expected the path of the file to write');
  return { type: 'file', name, path };
}

/** `verbosity` is accepted so collector debug-exporter snippets load; kspan's console output has one format. */
function parseConsoleExporter(name: string, section: YamlMap, key: string): ExporterSpec {
  checkKeys(section, ['verbosity'], key);
  const verbosity = section.verbosity;
  if (verbosity !== undefined && verbosity !== null && !VERBOSITIES.includes(String(verbosity))) {
    throw new ConfigError(joinKey(key, 'verbosity'), `expected one of ${VERBOSITIES.join(', ')}, got ${describe(verbosity)}`);
  }
  return { type: 'console', name };
}

function parsePrometheusExporter(name: string, section: YamlMap, key: string): PrometheusExporterConfig {
  checkKeys(section, ['endpoint'], key);
  const endpoint = section.endpoint;
  if (endpoint === undefined || endpoint === null) {
    return { type: 'prometheus', name, host: DEFAULT_PROMETHEUS_HOST, port: DEFAULT_PROMETHEUS_PORT };
  }
  const parsed = typeof endpoint === 'string' ? parseHostPort(endpoint) : undefined;
  if (parsed === undefined) {
    throw new ConfigError(joinKey(key, 'endpoint'), `expected "host:port" with port 1..65535, got ${describe(endpoint)}`);
  }
  // Go's ":9464" means every interface; say so explicitly for net.Server#listen.
  return { type: 'prometheus', name, host: parsed.host === '' ? '0.0.0.0' : parsed.host, port: parsed.port };
}

/** Prometheus is pull-based metrics; every other exporter carries both signals. */
export function exporterSignals(spec: ExporterSpec): readonly Signal[] {
  return spec.type === 'prometheus' ? ['metrics'] : ['traces', 'metrics'];
}

/** A fresh ExporterConfig for one pipeline; otlp exporters pick up the signal's env variables. */
export function bindExporter(spec: ExporterSpec, signal: Signal, env: NodeJS.ProcessEnv, warnings: string[]): ExporterConfig {
  return isOtlpSpec(spec) ? bindOtlpExporter(spec, signal, env, warnings) : { ...spec };
}
