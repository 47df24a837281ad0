import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Metadata, ServiceDefinition, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { TraceExportPipeline } from '../../../src/export/TraceExportPipeline';
import { NODE_PROC, makeSpan, pipelineConfig } from './helpers';
import { decodeTraceRequest } from './protobuf';

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
