/** Public API of kspan's configuration: load, validate and resolve the YAML. */
export { loadConfig } from './load';
export type { LoadConfigOptions, LoadConfigResult } from './load';
export { ConfigError } from './ConfigError';
export { parseDurationMs } from './duration';
export { substituteEnv } from './envSubstitution';
export * as defaults from './defaults';
export type {
  BatchProcessorConfig,
  ConsoleExporterConfig,
  DiscoveryConfig,
  ExporterConfig,
  FileExporterConfig,
  KernelReceiverConfig,
  KspanConfig,
  OtlpExporterConfig,
  PipelineConfig,
  PrometheusExporterConfig,
} from './types';
