import { FragmentCache } from './FragmentCache';
import type { ProtoWriter } from './ProtoWriter';

const hasOwn = Object.prototype.hasOwnProperty;
/** int64 bounds; both are powers of two, so exact as doubles. */
const MIN_INT64 = -(2 ** 63);
const MAX_INT64_EXCLUSIVE = 2 ** 63;

/**
 * `KeyValue.key` (field 1) with its tag and length, then the tag of
 * `KeyValue.value` (field 2): the part of a KeyValue that repeats span after
 * span, encoded once per key.
 */
const KEY_HEADS = new FragmentCache<Uint8Array>(key => {
  const utf8 = Buffer.from(key, 'utf8');
  const len = Buffer.from(varintBytes(utf8.length));
  return Buffer.concat([Buffer.of(0x0a), len, utf8, Buffer.of(0x12)]);
});

function varintBytes(v: number): number[] {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/**
 * The fields of an AnyValue for an attribute value, with the SDK's choices:
 * integers within int64 are int_value (3), other numbers double_value (4),
 * NaN and infinities included; strings string_value (1), booleans
 * bool_value (2), byte arrays bytes_value (7), arrays array_value (5) and
 * other objects kvlist_value (6), element by element; null, undefined and
 * anything else write nothing, the empty AnyValue.
 */
export function writeAnyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.byte(0x0a);
      w.string(value);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64_EXCLUSIVE) {
        w.byte(0x18);
        w.varint(value);
      } else {
        w.byte(0x21);
        w.double(value);
      }
      return;
    case 'boolean':
      w.byte(0x10);
      w.byte(value ? 1 : 0);
      return;
    case 'object':
      if (value !== null) writeObjectValue(w, value);
      return;
    default:
  }
}

function writeObjectValue(w: ProtoWriter, value: object): void {
  if (value instanceof Uint8Array) {
    w.byte(0x3a);
    w.bytes(value);
    return;
  }
  if (Array.isArray(value)) {
    w.byte(0x2a);
    const list = w.begin(1);
    // Indexed: holes in a sparse array are elements too (empty AnyValues).
    for (let i = 0; i < value.length; i++) {
      w.byte(0x0a); // ArrayValue.values
      const item = w.begin(1);
      writeAnyValue(w, value[i]);
      w.end(item, 1);
    }
    w.end(list, 1);
    return;
  }
  w.byte(0x32);
  const list = w.begin(1);
  writeKeyValues(w, value as Record<string, unknown>, 0x0a); // KeyValueList.values
  w.end(list, 1);
}

/**
 * One KeyValue per own enumerable key, in key order, each under the
 * one-byte tag `tag` (the repeated KeyValue field of the enclosing message).
 */
export function writeKeyValues(w: ProtoWriter, values: Record<string, unknown>, tag: number): void {
  // for-in with an own-property check: Object.keys' keys and order, from V8's enum cache.
  for (const key in values) {
    if (!hasOwn.call(values, key)) continue;
    w.byte(tag);
    const kv = w.begin(1);
    w.raw(KEY_HEADS.get(key));
    const any = w.begin(1);
    writeAnyValue(w, values[key]);
    w.end(any, 1);
    w.end(kv, 1);
  }
}
