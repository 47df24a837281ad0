import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, TraceFlags } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeTraceProto, protoSpanSerializer } from '../../../src/export/otlp';
import { KSPAN_SCOPE, NODE_RESOURCE, ODD_ATTRIBUTES, handMadeSpan, realisticSpans, variedSpans } from './otlpFixtures';
import { decodeTraceRequestObject, encodeTraceResponse } from './otlpTraceSchema';

function sdkBytes(spans: ReadableSpan[]): Buffer {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  assert.ok(bytes);
  return Buffer.from(bytes);
}

/** Same request once decoded by a schema-aware decoder, and the same bytes. */
function assertSameAsSdk(spans: ReadableSpan[], label = ''): void {
  const ours = encodeTraceProto(spans);
  const sdk = sdkBytes(spans);
  assert.deepEqual(decodeTraceRequestObject(ours), decodeTraceRequestObject(sdk), label);
  assert.ok(ours.equals(sdk), `bytes differ ${label}`);
}

interface Decoded {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> };
    scopeSpans: Array<{ scope: { name: string }; spans: Array<Record<string, unknown> & { attributes?: Array<{ key: string; value: Record<string, unknown> }> }> }>;
  }>;
}

const decode = (spans: ReadableSpan[]): Decoded => decodeTraceRequestObject(encodeTraceProto(spans)) as Decoded;

const span = (o: Partial<Parameters<typeof handMadeSpan>[0]> = {}): ReadableSpan =>
  handMadeSpan({ name: 'x', kind: SpanKind.SERVER, spanId: 'aaaaaaaaaaaaaaaa', ...o });

/** Values at every size boundary the writer guesses lengths for, and the number edge cases. */
const EDGE_ATTRIBUTES: Attributes = {
  ...ODD_ATTRIBUTES,
  minInt64: -(2 ** 63),
  twoTo63: 2 ** 63,
  minSafe: Number.MIN_SAFE_INTEGER,
  uint32Max: 0xffffffff,
  twoTo32: 2 ** 32,
  minusTwoTo32: -(2 ** 32),
  minusOne: -1,
  negTiny: -5e-324,
  ascii127: 'a'.repeat(127),
  ascii128: 'a'.repeat(128),
  twoByte64: 'é'.repeat(64),
  twoByte65: 'é'.repeat(65),
  long: 'x'.repeat(20_000),
  longUnicode: '日本語🙂'.repeat(3000),
  longLoneSurrogates: '\ud800x'.repeat(100),
  bigArray: Array.from({ length: 300 }, (_, i) => `item ${i}`),
};

test('protobuf encoder: same request as the SDK serializer on varied spans (two resources, scopes, odd values)', () => {
  assertSameAsSdk(variedSpans());
});

test('protobuf encoder: same as the SDK for realistic kspan batches, empty to long', () => {
  for (const count of [0, 1, 512, 3000]) assertSameAsSdk(realisticSpans(count), `count ${count}`);
});

test('protobuf encoder: same as the SDK for edge values and every length-size boundary', () => {
  assertSameAsSdk([span({ attributes: EDGE_ATTRIBUTES })]);
  for (const [key, value] of Object.entries(EDGE_ATTRIBUTES)) assertSameAsSdk([span({ attributes: { [key]: value } })], key);
  // Byte arrays, nested lists and maps, values the types do not allow.
  const odd = { bytes: new Uint8Array([0, 1, 255]), nested: [[1, 2], [], ['a', [true]]], map: { x: 1, y: [null, { z: 'deep' }] }, big: 1n, fn: () => 1 };
  assertSameAsSdk([span({ attributes: odd as unknown as Attributes })]);
  // A span of a few bytes, and one past 16 KiB (length varints of 1 and 3 bytes where 2 are reserved).
  assertSameAsSdk([span({ name: '', attributes: {} })]);
  assertSameAsSdk([span({ attributes: { long: 'y'.repeat(17_000) } })]);
  // Events and links past 127 bytes, an empty id, uppercase hex, an odd-length id.
  assertSameAsSdk([
    span({
      traceId: '',
      spanId: 'ABCDEF0123456789',
      parent: { spanId: 'abc', isRemote: true },
      events: [{ name: 'e'.repeat(200), time: [1, 2], attributes: { a: 'b'.repeat(300) } }, { name: '', time: [0, 0] }],
      links: [{ context: { traceId: 'F'.repeat(32), spanId: '1'.repeat(16), traceFlags: TraceFlags.SAMPLED }, attributes: { l: 'z'.repeat(200) } }],
    }),
  ]);
});

test('protobuf encoder: same as the SDK for odd times, scopes and counts', () => {
  const times: Array<[number, number]> = [
    [0, 0], [0, 1], [1.9, 3.7], [12, 1_500_000_000], [4_102_444_800, 1], [5e11, 7], [6e11, 999_999_999],
    [18_446_744_073, 709_551_615], [1e12 + 0.5, 3], [NaN, 1], [1, NaN], [Infinity, 0], [1, -5],
  ];
  for (const t of times) assertSameAsSdk([span({ start: t, end: t, events: [{ name: 'e', time: t }] })], JSON.stringify(t));
  const scoped = { name: 'scoped', version: '', attributes: { 'scope.attr': 'v', n: 2 }, droppedAttributesCount: 3 };
  assertSameAsSdk([span({ scope: scoped })]);
  assertSameAsSdk([span({ scope: { name: 'no attrs', attributes: {} } as ReadableSpan['instrumentationScope'] })]);
  const noKind = { ...span(), kind: undefined as unknown as SpanKind };
  const noCounts = { ...span(), droppedAttributesCount: undefined, droppedEventsCount: undefined, droppedLinksCount: undefined } as unknown as ReadableSpan;
  const bigCounts = span({ dropped: [2 ** 32 - 1, 2 ** 32, 300] });
  for (const s of [noKind, noCounts, bigCounts]) assertSameAsSdk([s], s.name);
  const schemaless = resourceFromAttributes({ 'service.name': 'a' });
  assertSameAsSdk([span({ resource: schemaless }), span({ resource: schemaless, scope: KSPAN_SCOPE })]);
});

test('protobuf encoder: scopes are told apart by identity, resources too, in order of first appearance', () => {
  const request = decode(variedSpans());
  const layout = request.resourceSpans.map(r => r.scopeSpans.map(s => `${s.scope.name}:${s.spans.length}`));
  // 'same other scope' is an equal scope in another object: its own ScopeSpans, as the SDK writes it.
  assert.deepEqual(layout, [['kspan:3', 'other.lib:1', 'other.lib:1'], ['kspan:1', 'bare:1'], ['kspan:3']]);
});

test('protobuf encoder: int64 vs double, exact times and ids, as decoded', () => {
  const request = decode([span({ attributes: EDGE_ATTRIBUTES, start: [1_700_000_000, 123_456_789], end: [4_102_444_800, 999_999_999] })]);
  const s = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  const value = (key: string): Record<string, unknown> => s.attributes!.find(a => a.key === key)!.value;
  assert.deepEqual(value('beyondSafe'), { intValue: String(2n ** 60n) });
  assert.deepEqual(value('minInt64'), { intValue: String(-(2n ** 63n)) });
  assert.deepEqual(value('negative'), { intValue: '-17' });
  assert.deepEqual(value('twoTo63'), { doubleValue: 2 ** 63 });
  assert.deepEqual(value('hugeInt'), { doubleValue: 1e21 });
  assert.ok(Number.isNaN(value('nan')['doubleValue']));
  assert.deepEqual(value('undef'), {});
  assert.deepEqual(value('empty'), { stringValue: '' });
  assert.deepEqual(value('unicode'), { stringValue: 'café ☕ 日本語 𝄞 emoji 🙂' });
  assert.deepEqual(value('loneHigh'), { stringValue: 'broken \ufffd here' });
  assert.equal(s['startTimeUnixNano'], '1700000000123456789');
  assert.equal(s['endTimeUnixNano'], '4102444800999999999');
  assert.equal(Buffer.from(s['traceId'] as string, 'base64').toString('hex'), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(s['kind'], 'SPAN_KIND_SERVER');
  assert.equal(s['flags'], 0x101);
});

test('protobuf encoder: returned bytes are the caller\'s, untouched by the next encoding', () => {
  const first = encodeTraceProto(variedSpans());
  const copy = Buffer.from(first);
  encodeTraceProto(realisticSpans(100));
  assert.ok(first.equals(copy));
});

test('protobuf serializer answers like the SDK for responses (partial success)', () => {
  for (const response of [{}, { partialSuccess: {} }, { partialSuccess: { rejectedSpans: 2, errorMessage: 'no' } }]) {
    const bytes = encodeTraceResponse(response);
    assert.deepEqual(protoSpanSerializer.deserializeResponse(bytes), ProtobufTraceSerializer.deserializeResponse(bytes));
  }
  assert.deepEqual(protoSpanSerializer.serializeRequest([span({ resource: NODE_RESOURCE })]), sdkBytes([span({ resource: NODE_RESOURCE })]));
});
