import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleSpanExporter } from '../../../src/export/exporters/ConsoleSpanExporter';
import { TraceExportPipeline } from '../../../src/export/TraceExportPipeline';
import { makeSpan, pipelineConfig } from './helpers';

test('console exporter prints one compact line per span', async () => {
  const out: string[] = [];
  const pipeline = new TraceExportPipeline(pipelineConfig([{ type: 'console', name: 'console' }]), undefined, {
    exporterFactory: () => new ConsoleSpanExporter(line => out.push(line)),
  });
  pipeline.export(makeSpan());
  pipeline.export(
    makeSpan({
      spanId: '1111111111111111',
      parentSpanId: 'b7ad6b7169203331',
      name: 'runqueue wait',
      kind: 'INTERNAL',
      startTimeUnixNano: 1_700_000_000_000_000_000n,
      endTimeUnixNano: 1_700_000_000_000_038_600n,
      attributes: {},
      status: { code: 'ERROR', message: 'preempted' },
    }),
  );
  await pipeline.shutdown();
  assert.deepEqual(out, [
    'SERVER GET /users 200 12.3ms service=users-api pid=4242 trace=0af7651916cd43dd8448eb211c80319c span=b7ad6b7169203331 parent=-',
    'INTERNAL runqueue wait 0.039ms ERROR(preempted) service=users-api pid=4242 trace=0af7651916cd43dd8448eb211c80319c span=1111111111111111 parent=b7ad6b7169203331',
  ]);
});
