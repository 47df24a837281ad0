/**
 * Encoder only: one batch of 512 spans, made by the correlator from
 * synthetic traffic and turned into ReadableSpans as the pipeline does,
 * encoded over and over by kspan's OTLP encoders and by the SDK's
 * serializers. Spans per second of CPU time.
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HttpCorrelator } from '../../src/correlate/HttpCorrelator';
import type { KspanSpan } from '../../src/correlate/span';
import { encodeTraceJson, encodeTraceProto } from '../../src/export/otlp';
import { ResourceCache, TRACER_NAME } from '../../src/export/ResourceCache';
import { toReadableSpan } from '../../src/export/ReadableSpanBuilder';
import { MonotonicClock } from '../../src/receivers/MonotonicClock';
import { SyntheticTraffic, processLookup } from './syntheticTraffic';

const BATCH = 512;

export function benchBatch(size = BATCH): ReadableSpan[] {
  const clock = new MonotonicClock();
  const spans: KspanSpan[] = [];
  const correlator = new HttpCorrelator(clock, processLookup, (s) => spans.push(s), { holdMs: 0, redactQuery: true });
  const traffic = new SyntheticTraffic(correlator, 64, () => clock.now());
  while (spans.length < size) {
    for (let i = 0; i < 64; i++) traffic.next();
    correlator.flush(true);
  }
  const resources = new ResourceCache({ agentVersion: 'bench', hostName: 'bench-host' });
  const scope = { name: TRACER_NAME, version: 'bench' };
  return spans.slice(0, size).map((s) => toReadableSpan(s, resources.resourceFor(s.process), scope));
}

function rate(seconds: number, spans: ReadableSpan[], encode: (spans: ReadableSpan[]) => Uint8Array | undefined): number {
  for (let i = 0; i < 20; i++) encode(spans); // JIT warm-up
  const cpu0 = process.cpuUsage();
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let batches = 0;
  while (process.hrtime.bigint() < deadline) {
    encode(spans);
    batches++;
  }
  const cpu = process.cpuUsage(cpu0);
  return (batches * spans.length) / ((cpu.user + cpu.system) / 1e6);
}

export interface EncodeBench {
  /** Encoded spans per CPU second. */
  json: { kspan: number; sdk: number };
  protobuf: { kspan: number; sdk: number };
  /** Bytes of one encoded batch. */
  bytes: { json: number; protobuf: number };
}

export function benchOtlpEncode(seconds = 2): EncodeBench {
  const spans = benchBatch();
  return {
    json: { kspan: rate(seconds, spans, encodeTraceJson), sdk: rate(seconds, spans, (s) => JsonTraceSerializer.serializeRequest(s)) },
    protobuf: { kspan: rate(seconds, spans, encodeTraceProto), sdk: rate(seconds, spans, (s) => ProtobufTraceSerializer.serializeRequest(s)) },
    bytes: { json: encodeTraceJson(spans).length, protobuf: ProtobufTraceSerializer.serializeRequest(spans)?.length ?? 0 },
  };
}
