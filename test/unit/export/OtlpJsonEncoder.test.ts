import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeTraceJson, hrTimeToNanoString, jsonSpanSerializer } from '../../../src/export/otlp';
import { KSPAN_SCOPE, NODE_RESOURCE, handMadeSpan, realisticSpans, variedSpans } from './otlpFixtures';

function sdkText(spans: ReadableSpan[]): string {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  assert.ok(bytes);
  return Buffer.from(bytes).toString('utf8');
}

function ours(spans: ReadableSpan[]): string {
  return encodeTraceJson(spans).toString('utf8');
}

test('JSON encoder matches the SDK serializer on varied spans (two resources, two scopes, odd values)', () => {
  const spans = variedSpans();
  const expected = JSON.parse(sdkText(spans)) as unknown;
  assert.deepEqual(JSON.parse(ours(spans)), expected);
  // Not just equal once parsed: the same text, member order included.
  assert.equal(ours(spans), sdkText(spans));
});

test('JSON encoder groups by resource then scope in order of first appearance', () => {
  const request = JSON.parse(ours(variedSpans())) as {
    resourceSpans: Array<{ scopeSpans: Array<{ scope: { name: string }; spans: Array<{ name: string }> }> }>;
  };
  const layout = request.resourceSpans.map(r => r.scopeSpans.map(s => `${s.scope.name}:${s.spans.length}`));
  assert.deepEqual(layout, [['kspan:3', 'other.lib:2'], ['kspan:1', 'bare:1'], ['kspan:3']]);
});

test('JSON encoder matches the SDK on realistic kspan batches', () => {
  for (const count of [0, 1, 512]) {
    const spans = realisticSpans(count);
    assert.deepEqual(JSON.parse(ours(spans)), JSON.parse(sdkText(spans)));
    assert.equal(ours(spans), sdkText(spans));
  }
});

test('JSON encoder writes lone surrogates escaped, so the UTF-8 is valid and round-trips', () => {
  const spans = [handMadeSpan({ name: 'x\ud800y', kind: SpanKind.SERVER, spanId: 'aaaaaaaaaaaaaaaa', attributes: { k: '\udfff' } })];
  const text = ours(spans);
  assert.match(text, /x\\ud800y/);
  const parsed = JSON.parse(text) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> };
  assert.equal(parsed.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name, 'x\ud800y');
  assert.equal(text, sdkText(spans));
});

test('JSON encoder survives a huge string attribute and a long batch', () => {
  const huge = 'é"'.repeat(200_000) + 'end';
  const spans = [handMadeSpan({ name: 'huge', kind: SpanKind.SERVER, spanId: 'aaaaaaaaaaaaaaaa', attributes: { huge } }), ...realisticSpans(2000)];
  assert.equal(ours(spans), sdkText(spans));
});

test('JSON encoder tolerates spans missing optional parts the SDK would still write', () => {
  const span = handMadeSpan({ name: 'bare', kind: SpanKind.INTERNAL, spanId: 'aaaaaaaaaaaaaaaa', scope: { name: 'bare', version: '' } });
  assert.equal(ours([span]), sdkText([span]));
  const noKind = { ...handMadeSpan({ name: 'no kind', kind: SpanKind.INTERNAL, spanId: 'aaaaaaaaaaaaaaaa' }), kind: undefined as unknown as SpanKind };
  assert.equal(ours([noKind]), sdkText([noKind]));
});

test('hrtime to nanosecond strings is exact, normalised or not', () => {
  const cases: Array<[number, number]> = [
    [0, 0], [0, 1], [1, 0], [1_700_000_000, 123_456_789], [1_700_000_000, 5], [4_102_444_800, 999_999_999],
    [12, 1_500_000_000], [1.9, 3.7], [-1, 5], [2 ** 53 - 1, 999_999_999], [2 ** 53 - 1, 5], [2 ** 53, 1], [2 ** 60, 7],
  ];
  for (const [s, ns] of cases) {
    const exact = (BigInt(Math.trunc(s)) * 1_000_000_000n + BigInt(Math.trunc(ns))).toString();
    assert.equal(hrTimeToNanoString([s, ns]), exact, `[${s}, ${ns}]`);
  }
});

test('the serializer object answers like the SDK for responses', () => {
  assert.deepEqual(jsonSpanSerializer.deserializeResponse(new Uint8Array()), {});
  const response = Buffer.from('{"partialSuccess":{"rejectedSpans":2,"errorMessage":"no"}}');
  assert.deepEqual(jsonSpanSerializer.deserializeResponse(response), { partialSuccess: { rejectedSpans: 2, errorMessage: 'no' } });
  const spans = [handMadeSpan({ name: 'a', kind: SpanKind.SERVER, spanId: 'aaaaaaaaaaaaaaaa', resource: NODE_RESOURCE, scope: KSPAN_SCOPE })];
  assert.deepEqual(Buffer.from(jsonSpanSerializer.serializeRequest(spans)!), Buffer.from(JsonTraceSerializer.serializeRequest(spans)!));
});
