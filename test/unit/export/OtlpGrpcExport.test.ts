import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, Server, ServerCredentials, credentials, status } from '@grpc/grpc-js';
import type { ServiceDefinition, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpGrpcSpanExporter } from '../../../src/export/exporters/OtlpGrpcSpanExporter';
import { TraceExportPipeline } from '../../../src/export/TraceExportPipeline';
import { NODE_PROC, makeSpan, pipelineConfig } from './helpers';
import { variedSpans } from './otlpFixtures';
import { decodeTraceRequest } from './protobuf';
import { decodeTraceRequestObject, encodeTraceResponse } from './otlpTraceSchema';

/**
 * A real OTLP/gRPC trace receiver on 127.0.0.1. The service is declared with
 * raw-bytes (de)serializers, so no .proto files are needed: the request body
 * is decoded by our own wire-format reader and the response is an empty
 * ExportTraceServiceResponse (zero bytes).
 */
const traceService: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: () => Buffer.alloc(0),
    responseDeserialize: (b: Buffer) => b,
  },
};

test('otlp (gRPC) delivers protobuf spans with metadata, exact ids and times to a real receiver', async () => {
  const requests: Array<{ body: Buffer; metadata: Metadata }> = [];
  const server = new Server();
  server.addService(traceService, {
    Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      requests.push({ body: call.request, metadata: call.metadata });
      callback(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const pipeline = new TraceExportPipeline(
    pipelineConfig([
      {
        type: 'otlp',
        name: 'otlp/local',
        endpoint: `127.0.0.1:${port}`,
        insecure: true,
        headers: { 'X-Scope-OrgID': 'tenant-1' },
        timeoutMs: 2000,
      },
    ]),
  );
  try {
    pipeline.export(makeSpan());
    pipeline.export(makeSpan({ spanId: '1111111111111111', parentSpanId: 'b7ad6b7169203331', name: 'runqueue wait', kind: 'INTERNAL' }));
    await pipeline.forceFlush();
    assert.deepEqual(pipeline.exportFailures, {});
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0]!.metadata.get('x-scope-orgid'), ['tenant-1']);

    const [rs, ...more] = decodeTraceRequest(requests[0]!.body);
    assert.equal(more.length, 0);
    assert.equal(rs!.resource['service.name'], NODE_PROC.serviceName);
    assert.equal(rs!.resource['process.pid'], BigInt(NODE_PROC.pid));
    assert.equal(rs!.resource['process.executable.path'], NODE_PROC.executablePath);
    const rootSpan = rs!.spans.find(s => s.kind === 2)!;
    const child = rs!.spans.find(s => s.kind === 1)!;
    assert.equal(rootSpan.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(rootSpan.spanId, 'b7ad6b7169203331');
    assert.equal(rootSpan.parentSpanId, '');
    assert.equal(rootSpan.startTimeUnixNano, 1_700_000_000_123_456_789n);
    assert.equal(rootSpan.endTimeUnixNano, 1_700_000_000_135_802_467n);
    assert.equal(child.name, 'runqueue wait');
    assert.equal(child.parentSpanId, 'b7ad6b7169203331');
  } finally {
    await pipeline.shutdown();
    server.forceShutdown();
  }
});

interface Received {
  body: Buffer;
  metadata: Metadata;
}

/**
 * A real receiver recording raw request bytes and metadata. `answers` are
 * used in turn (then an empty response): a response object to encode, or a
 * gRPC status code to fail with.
 */
async function startReceiver(answers: Array<object | number> = []): Promise<{ url: string; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const server = new Server();
  server.addService({ Export: { ...traceService['Export']!, responseSerialize: (r: object) => encodeTraceResponse(r) } }, {
    Export: (call: ServerUnaryCall<Buffer, object>, callback: sendUnaryData<object>) => {
      received.push({ body: call.request, metadata: call.metadata });
      const answer = answers.shift() ?? {};
      if (typeof answer === 'number') callback({ code: answer, details: 'try again' });
      else callback(null, answer);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.forceShutdown() };
}

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise(resolve => exporter.export(spans, resolve));
}

/** Metadata as a plain map; the user agent carries the exporter package's version, which may differ. */
function comparable(metadata: Metadata): Record<string, unknown> {
  const map = metadata.getMap();
  return { ...map, 'user-agent': String(map['user-agent']).replace(/JavaScript\/[\d.]+/, 'JavaScript/x') };
}

function grpcConfig(url: string, compression: CompressionAlgorithm): ConstructorParameters<typeof OtlpGrpcSpanExporter>[0] {
  const metadata = new Metadata();
  metadata.set('x-scope-orgid', 'tenant-1');
  return { url, credentials: credentials.createInsecure(), metadata, timeoutMillis: 5000, compression };
}

for (const compression of [CompressionAlgorithm.NONE, CompressionAlgorithm.GZIP]) {
  test(`otlp exporter sends what the SDK's gRPC OTLPTraceExporter sends (compression ${compression})`, async () => {
    const receiver = await startReceiver();
    const sdk = new OTLPTraceExporter(grpcConfig(receiver.url, compression));
    const ours = new OtlpGrpcSpanExporter(grpcConfig(receiver.url, compression));
    try {
      const spans = variedSpans();
      assert.equal((await exportOnce(sdk, spans)).code, ExportResultCode.SUCCESS);
      assert.equal((await exportOnce(ours, spans)).code, ExportResultCode.SUCCESS);
      assert.equal(receiver.received.length, 2);
      const [fromSdk, fromOurs] = receiver.received as [Received, Received];
      assert.deepEqual(comparable(fromOurs.metadata), comparable(fromSdk.metadata));
      assert.deepEqual(fromOurs.metadata.get('x-scope-orgid'), ['tenant-1']);
      assert.deepEqual(decodeTraceRequestObject(fromOurs.body), decodeTraceRequestObject(fromSdk.body));
      assert.ok(fromOurs.body.equals(fromSdk.body));
    } finally {
      await sdk.shutdown();
      await ours.shutdown();
      receiver.close();
    }
  });
}

/**
 * Failures and partial success: whatever the SDK exporter makes of an answer
 * (this version does not retry gRPC errors; a partial success is a success
 * with a warning), ours makes the same.
 */
const ANSWERS: Array<[string, object | number]> = [
  ['UNAVAILABLE', status.UNAVAILABLE],
  ['INVALID_ARGUMENT', status.INVALID_ARGUMENT],
  ['partial success', { partialSuccess: { rejectedSpans: '1', errorMessage: 'one too many' } }],
];

for (const [label, answer] of ANSWERS) {
  test(`otlp exporter answers like the SDK exporter to ${label}`, async () => {
    const receiver = await startReceiver([answer, answer]);
    const sdk = new OTLPTraceExporter(grpcConfig(receiver.url, CompressionAlgorithm.NONE));
    const ours = new OtlpGrpcSpanExporter(grpcConfig(receiver.url, CompressionAlgorithm.NONE));
    try {
      const spans = variedSpans();
      const sdkResult = await exportOnce(sdk, spans);
      const sdkRequests = receiver.received.length;
      const ourResult = await exportOnce(ours, spans);
      assert.equal(ourResult.code, sdkResult.code);
      assert.equal(ourResult.error?.message, sdkResult.error?.message);
      assert.equal(receiver.received.length - sdkRequests, sdkRequests);
      assert.equal(ourResult.code, typeof answer === 'number' ? ExportResultCode.FAILED : ExportResultCode.SUCCESS);
    } finally {
      await sdk.shutdown();
      await ours.shutdown();
      receiver.close();
    }
  });
}

test('otlp exporter reads OTEL_EXPORTER_OTLP_TRACES_* like the SDK exporter', async () => {
  const receiver = await startReceiver();
  const saved = { ...process.env };
  process.env['OTEL_EXPORTER_OTLP_TRACES_HEADERS'] = 'x-from-env=yes';
  process.env['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION'] = 'gzip';
  process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = receiver.url;
  process.env['OTEL_EXPORTER_OTLP_TRACES_INSECURE'] = 'true';
  let sdk: OTLPTraceExporter | undefined;
  let ours: OtlpGrpcSpanExporter | undefined;
  try {
    sdk = new OTLPTraceExporter();
    ours = new OtlpGrpcSpanExporter();
    const spans = variedSpans();
    assert.equal((await exportOnce(sdk, spans)).code, ExportResultCode.SUCCESS);
    assert.equal((await exportOnce(ours, spans)).code, ExportResultCode.SUCCESS);
    const [fromSdk, fromOurs] = receiver.received as [Received, Received];
    assert.deepEqual(fromOurs.metadata.get('x-from-env'), ['yes']);
    assert.match(String(fromOurs.metadata.get('user-agent')[0]), /^OTel-OTLP-Exporter-JavaScript\//);
    assert.deepEqual(comparable(fromOurs.metadata), comparable(fromSdk.metadata));
    assert.ok(fromOurs.body.equals(fromSdk.body));
  } finally {
    process.env = saved;
    await sdk?.shutdown();
    await ours?.shutdown();
    receiver.close();
  }
});
