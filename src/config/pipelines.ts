/**
 * The `service.pipelines` section. Pipelines are named by signal ("traces",
 * "metrics") with optional "/name" variants; variants of one signal are merged
 * into a single PipelineConfig, because kspan runs one provider per signal.
 * Exporters are deduplicated across merged pipelines, in order of appearance.
 */
import type { BatchProcessorConfig, PipelineConfig } from './types';
import { ConfigError } from './ConfigError';
import { DEFAULT_BATCH } from './batchProcessor';
import { parseComponentId } from './componentId';
import { bindExporter, exporterSignals, ExporterSpec } from './exporters';
import type { Signal } from './otlpEnv';
import { checkKeys, joinKey, readList, readMap, toNonEmptyString, YamlMap } from './values';

export interface PipelineComponents {
  receivers: ReadonlySet<string>;
  processors: ReadonlyMap<string, BatchProcessorConfig>;
  exporters: ReadonlyMap<string, ExporterSpec>;
}

interface MergedPipeline {
  exporterIds: string[];
  /** Id of the batch processor used, and the pipeline that first chose it (for the conflict message). */
  batchId: string;
  batchFrom: string;
}

const SIGNALS: readonly Signal[] = ['traces', 'metrics'];
/** Implicit components: usable without a section of their own. */
const IMPLICIT_RECEIVER = 'kernel';
const IMPLICIT_PROCESSOR = 'batch';

export function resolvePipelines(
  section: unknown,
  components: PipelineComponents,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): Partial<Record<Signal, PipelineConfig>> {
  const key = 'service.pipelines';
  const pipelines = readMap(section, key);
  if (Object.keys(pipelines).length === 0) {
    throw new ConfigError(key, 'expected at least one pipeline (traces or metrics); without one nothing is exported');
  }

  const merged = new Map<Signal, MergedPipeline>();
  const usedExporters = new Set<string>();
  for (const [id, raw] of Object.entries(pipelines)) {
    const pipelineKey = joinKey(key, id);
    const signal = parseComponentId(id, pipelineKey, 'pipeline').type;
    if (!SIGNALS.includes(signal as Signal)) {
      throw new ConfigError(pipelineKey, `unknown pipeline type "${signal}"; expected traces or metrics (optionally traces/<name>)`);
    }
    const pipeline = readPipeline(raw, pipelineKey, signal as Signal, components);
    const current = merged.get(signal as Signal);
    if (current === undefined) {
      merged.set(signal as Signal, { exporterIds: [...pipeline.exporterIds], batchId: pipeline.batchId, batchFrom: id });
    } else {
      if (current.batchId !== pipeline.batchId) {
        throw new ConfigError(
          joinKey(pipelineKey, 'processors'),
          `uses "${pipeline.batchId}" but "${current.batchFrom}" uses "${current.batchId}"; pipelines of one signal are merged and must share one batch processor`,
        );
      }
      for (const exporterId of pipeline.exporterIds) {
        if (!current.exporterIds.includes(exporterId)) current.exporterIds.push(exporterId);
      }
    }
    pipeline.exporterIds.forEach((exporterId) => usedExporters.add(exporterId));
  }

  for (const id of components.exporters.keys()) {
    if (!usedExporters.has(id)) warnings.push(`exporters.${id}: defined but not used in any pipeline`);
  }

  const result: Partial<Record<Signal, PipelineConfig>> = {};
  for (const [signal, pipeline] of merged) {
    result[signal] = {
      exporters: pipeline.exporterIds.map((id) => bindExporter(components.exporters.get(id)!, signal, env, warnings)),
      batch: { ...(components.processors.get(pipeline.batchId) ?? DEFAULT_BATCH) },
    };
  }
  return result;
}

function readPipeline(
  raw: unknown,
  key: string,
  signal: Signal,
  components: PipelineComponents,
): { exporterIds: string[]; batchId: string } {
  const pipeline = readMap(raw, key);
  checkKeys(pipeline, ['receivers', 'processors', 'exporters'], key);

  const receivers = readIds(pipeline, 'receivers', key, [IMPLICIT_RECEIVER]);
  if (receivers.length === 0) throw new ConfigError(joinKey(key, 'receivers'), 'expected at least one receiver (kernel)');
  receivers.forEach((id, i) => {
    if (id !== IMPLICIT_RECEIVER && !components.receivers.has(id)) {
      throw new ConfigError(`${key}.receivers[${i}]`, `references receiver "${id}" which is not defined under receivers; expected kernel`);
    }
  });

  const processors = readIds(pipeline, 'processors', key, [IMPLICIT_PROCESSOR]);
  processors.forEach((id, i) => {
    if (id !== IMPLICIT_PROCESSOR && !components.processors.has(id)) {
      throw new ConfigError(`${key}.processors[${i}]`, `references processor "${id}" which is not defined under processors`);
    }
  });
  if (processors.length > 1) {
    throw new ConfigError(joinKey(key, 'processors'), `expected at most one batch processor, got ${processors.join(', ')}`);
  }

  const exporters = readIds(pipeline, 'exporters', key, undefined);
  if (exporters.length === 0) {
    throw new ConfigError(joinKey(key, 'exporters'), 'required; expected a list of at least one exporter defined under exporters');
  }
  exporters.forEach((id, i) => {
    const spec = components.exporters.get(id);
    if (spec === undefined) {
      throw new ConfigError(`${key}.exporters[${i}]`, `references exporter "${id}" which is not defined under exporters`);
    }
    if (!exporterSignals(spec).includes(signal)) {
      throw new ConfigError(`${key}.exporters[${i}]`, `exporter "${id}" (${spec.type}) cannot export ${signal}; it only exports ${exporterSignals(spec).join(', ')}`);
    }
  });

  // No batch processor named: kspan batches anyway, with the defaults.
  return { exporterIds: exporters, batchId: processors[0] ?? IMPLICIT_PROCESSOR };
}

/** A list of component ids; duplicates are an error, as in the collector. */
function readIds(pipeline: YamlMap, name: string, key: string, fallback: string[] | undefined): string[] {
  const list = readList(pipeline, name, key);
  if (list === undefined) return fallback ?? [];
  const listKey = joinKey(key, name);
  const ids = list.map((item, i) => toNonEmptyString(item, `${listKey}[${i}]`));
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) throw new ConfigError(`${listKey}[${i}]`, `lists "${id}" twice`);
  });
  return ids;
}
