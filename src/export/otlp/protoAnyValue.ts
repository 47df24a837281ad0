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

/** Each attribute index's key and head, as last written (any list: a hit is checked by key). */
const MEMO_SIZE = 64;
const LAST_KEYS: Array<string | undefined> = new Array<string | undefined>(MEMO_SIZE).fill(undefined);
const LAST_HEADS: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(MEMO_SIZE).fill(undefined);

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
  let index = 0;
  // for-in with an own-property check: Object.keys' keys and order, from V8's enum cache.
  for (const key in values) {
    if (!hasOwn.call(values, key)) continue;
    // Spans of one kind list the same keys in the same order: most keys are
    // the previous span's at this index, found without hashing.
    let head: Uint8Array;
    if (LAST_KEYS[index] === key) {
      head = LAST_HEADS[index]!;
    } else {
      head = KEY_HEADS.get(key);
      if (index < MEMO_SIZE) {
        LAST_KEYS[index] = key;
        LAST_HEADS[index] = head;
      }
    }
    index++;
    const value = values[key];
    // Most attributes are short strings and small integers: written in one go.
    if (typeof value === 'string') {
      if (w.shortStringKeyValue(tag, head, value)) continue;
    } else if (typeof value === 'number' && value >= 0 && value < 0x1_0000_0000 && Number.isInteger(value)) {
      if (w.smallIntKeyValue(tag, head, value)) continue;
    }
    w.byte(tag);
    const kv = w.begin(1);
    w.raw(head);
    const any = w.begin(1);
    writeAnyValue(w, value);
    w.end(any, 1);
    w.end(kv, 1);
  }
}
