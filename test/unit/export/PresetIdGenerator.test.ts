import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PresetIdGenerator } from '../../../src/export/PresetIdGenerator';

test('preset ids are returned once, then random ids', () => {
  const ids = new PresetIdGenerator();
  ids.preset('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331');
  assert.equal(ids.generateSpanId(), 'b7ad6b7169203331');
  assert.equal(ids.generateTraceId(), '0af7651916cd43dd8448eb211c80319c');
  const nextSpan = ids.generateSpanId();
  const nextTrace = ids.generateTraceId();
  assert.match(nextSpan, /^[0-9a-f]{16}$/);
  assert.match(nextTrace, /^[0-9a-f]{32}$/);
  assert.notEqual(nextSpan, 'b7ad6b7169203331');
  assert.notEqual(nextTrace, '0af7651916cd43dd8448eb211c80319c');
});

test('clear() drops a trace id a child span never asked for', () => {
  const ids = new PresetIdGenerator();
  ids.preset('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331');
  ids.generateSpanId();
  ids.clear();
  assert.notEqual(ids.generateTraceId(), '0af7651916cd43dd8448eb211c80319c');
});
