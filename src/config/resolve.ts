/**
 * Turns a parsed, env-substituted collector-style document into the resolved
 * KspanConfig. Pure: no file or process access, so every rule is unit-testable.
 */
import type { KspanConfig } from './types';
import { parseProcessors } from './batchProcessor';
import { parseExporters } from './exporters';
import { parseKernelReceiver } from './kernelReceiver';
import { resolveLogLevel } from './logLevel';
import { resolveNice } from './nice';
import { resolvePipelines } from './pipelines';
import { checkKeys, readMap, YamlMap } from './values';

const TOP_LEVEL_KEYS = ['receivers', 'processors', 'exporters', 'service'] as const;

export function resolveConfig(root: YamlMap, env: NodeJS.ProcessEnv, warnings: string[], source: string): KspanConfig {
  checkKeys(root, TOP_LEVEL_KEYS, '', 'top-level key');

  const receivers = readMap(root.receivers, 'receivers');
  checkKeys(receivers, ['kernel'], 'receivers', 'receiver');
  const { kernel, metricsIntervalMs } = parseKernelReceiver(receivers.kernel, 'receivers.kernel');

  const processors = parseProcessors(root.processors);
  const exporters = parseExporters(root.exporters);

  const service = readMap(root.service, 'service');
  checkKeys(service, ['pipelines', 'telemetry'], 'service');
  const logLevel = resolveLogLevel(service.telemetry, env);
  const pipelines = resolvePipelines(
    service.pipelines,
    { receivers: new Set(Object.keys(receivers)), processors, exporters },
    env,
    warnings,
  );

  const config: KspanConfig = { kernel, logLevel, nice: resolveNice(env), source };
  if (pipelines.traces !== undefined) config.traces = pipelines.traces;
  if (pipelines.metrics !== undefined) config.metrics = { ...pipelines.metrics, intervalMs: metricsIntervalMs };
  return config;
}
