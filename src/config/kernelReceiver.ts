/**
 * The `receivers.kernel` section: which probes run, which processes they
 * watch, and the per-event costs. Present by default: a config without it
 * traces every process with the defaults.
 */
import type { KernelReceiverConfig } from './types';
import { ConfigError } from './ConfigError';
import * as d from './defaults';
import { checkKeys, joinKey, readBoolean, readDuration, readInteger, readIntegerList, readMap, readStringList } from './values';

/** Linux PID_MAX_LIMIT (2^22). */
const MAX_PID = 4_194_304;

const KERNEL_KEYS = [
  'families',
  'discovery',
  'payload_bytes',
  'ring_buffer_bytes',
  'redact_query',
  'span_hold',
  'metrics_interval',
  'runqueue_threshold',
  'socket_wait_threshold',
] as const;

export interface KernelReceiverSettings {
  kernel: KernelReceiverConfig;
  /** receivers.kernel.metrics_interval: how often metrics are collected and pushed. */
  metricsIntervalMs: number;
}

export function parseKernelReceiver(raw: unknown, key: string): KernelReceiverSettings {
  const section = readMap(raw, key);
  checkKeys(section, KERNEL_KEYS, key);

  const familiesKey = joinKey(key, 'families');
  const families = readMap(section.families, familiesKey);
  checkKeys(families, ['sockets', 'tls', 'sched', 'tcp'], familiesKey, 'probe family');

  const discoveryKey = joinKey(key, 'discovery');
  const discovery = readMap(section.discovery, discoveryKey);
  checkKeys(discovery, ['pids', 'executables', 'ports'], discoveryKey);

  const ringBufferBytes = readInteger(section, 'ring_buffer_bytes', key, d.DEFAULT_RING_BUFFER_BYTES, {
    min: d.MIN_RING_BUFFER_BYTES,
    max: d.MAX_RING_BUFFER_BYTES,
  });
  // The kernel refuses a BPF ring buffer whose size is not a power of two.
  if ((ringBufferBytes & (ringBufferBytes - 1)) !== 0) {
    throw new ConfigError(joinKey(key, 'ring_buffer_bytes'), `expected a power of two (e.g. 8388608), got ${ringBufferBytes}`);
  }

  return {
    kernel: {
      families: {
        sockets: readBoolean(families, 'sockets', familiesKey, d.DEFAULT_FAMILY_SOCKETS),
        tls: readBoolean(families, 'tls', familiesKey, d.DEFAULT_FAMILY_TLS),
        sched: readBoolean(families, 'sched', familiesKey, d.DEFAULT_FAMILY_SCHED),
        tcp: readBoolean(families, 'tcp', familiesKey, d.DEFAULT_FAMILY_TCP),
      },
      runqueueThresholdNs: Math.round(readDuration(section, 'runqueue_threshold', key, d.DEFAULT_RUNQUEUE_THRESHOLD_MS, { min: 0, max: 10_000 }) * 1e6),
      socketWaitThresholdNs: Math.round(readDuration(section, 'socket_wait_threshold', key, d.DEFAULT_SOCKET_WAIT_THRESHOLD_MS, { min: 0, max: 10_000 }) * 1e6),
      discovery: {
        pids: readIntegerList(discovery, 'pids', discoveryKey, { min: 1, max: MAX_PID }),
        executables: readStringList(discovery, 'executables', discoveryKey),
        ports: readIntegerList(discovery, 'ports', discoveryKey, { min: 1, max: 65535 }),
      },
      payloadBytes: readInteger(section, 'payload_bytes', key, d.DEFAULT_PAYLOAD_BYTES, {
        min: d.MIN_PAYLOAD_BYTES,
        max: d.MAX_PAYLOAD_BYTES,
      }),
      ringBufferBytes,
      redactQuery: readBoolean(section, 'redact_query', key, d.DEFAULT_REDACT_QUERY),
      spanHoldMs: readDuration(section, 'span_hold', key, d.DEFAULT_SPAN_HOLD_MS, { min: 0, max: d.MAX_SPAN_HOLD_MS }),
    },
    metricsIntervalMs: readDuration(section, 'metrics_interval', key, d.DEFAULT_METRICS_INTERVAL_MS, {
      min: d.MIN_METRICS_INTERVAL_MS,
      max: d.MAX_METRICS_INTERVAL_MS,
    }),
  };
}
