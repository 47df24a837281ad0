/**
 * The `processors:` section. kspan always batches, so `batch` (and named
 * `batch/<name>` variants) is the only processor type; a pipeline that names
 * none gets the default batch settings.
 */
import type { BatchProcessorConfig } from './types';
import { ConfigError } from './ConfigError';
import { parseComponentId } from './componentId';
import * as d from './defaults';
import { checkKeys, joinKey, readDuration, readInteger, readMap } from './values';

export const DEFAULT_BATCH: Readonly<BatchProcessorConfig> = Object.freeze({
  timeoutMs: d.DEFAULT_BATCH_TIMEOUT_MS,
  sendBatchSize: d.DEFAULT_SEND_BATCH_SIZE,
  maxQueueSize: d.DEFAULT_MAX_QUEUE_SIZE,
});

export function parseProcessors(section: unknown): Map<string, BatchProcessorConfig> {
  const processors = new Map<string, BatchProcessorConfig>();
  for (const [id, raw] of Object.entries(readMap(section, 'processors'))) {
    const key = joinKey('processors', id);
    if (parseComponentId(id, key, 'processor').type !== 'batch') {
      throw new ConfigError(key, 'unknown processor type; expected batch (or batch/<name>)');
    }
    processors.set(id, parseBatchProcessor(raw, key));
  }
  return processors;
}

function parseBatchProcessor(raw: unknown, key: string): BatchProcessorConfig {
  const section = readMap(raw, key);
  checkKeys(section, ['timeout', 'send_batch_size', 'send_batch_max_size', 'max_queue_size'], key);
  const range = { min: 1, max: d.MAX_QUEUE_SIZE };
  // Accepted so collector configs load; the span processor exports at most send_batch_size at once anyway.
  readInteger(section, 'send_batch_max_size', key, 0, { min: 0, max: d.MAX_QUEUE_SIZE });
  const config: BatchProcessorConfig = {
    timeoutMs: readDuration(section, 'timeout', key, DEFAULT_BATCH.timeoutMs, { min: 1, max: d.MAX_BATCH_TIMEOUT_MS }),
    sendBatchSize: readInteger(section, 'send_batch_size', key, DEFAULT_BATCH.sendBatchSize, range),
    maxQueueSize: readInteger(section, 'max_queue_size', key, DEFAULT_BATCH.maxQueueSize, range),
  };
  // The SDK's batch processor would silently clamp this; say so instead.
  if (config.sendBatchSize > config.maxQueueSize) {
    throw new ConfigError(
      joinKey(key, 'send_batch_size'),
      `expected at most max_queue_size (${config.maxQueueSize}), got ${config.sendBatchSize}`,
    );
  }
  return config;
}
