import type { Attributes } from '@opentelemetry/api';
import { KEY_FRAGMENTS } from './jsonKeyFragments';
import type { JsonWriter } from './JsonWriter';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * An attribute value as an OTLP/JSON AnyValue, with the SDK transformer's
 * choices: integral numbers (however large) are intValue, other numbers
 * doubleValue (NaN and infinities come out as null, as JSON.stringify writes
 * them); byte arrays are base64 bytesValue; arrays become arrayValue and plain
 * objects kvlistValue, element by element; null, undefined and anything else
 * become the empty AnyValue {}.
 */
export function writeAnyValue(w: JsonWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.lit('{"stringValue":');
      w.string(value);
      w.ascii('}');
      return;
    case 'number':
      if (Number.isInteger(value)) {
        w.lit('{"intValue":');
        w.integer(value);
      } else {
        w.lit('{"doubleValue":');
        w.number(value);
      }
      w.ascii('}');
      return;
    case 'boolean':
      w.lit(value ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
    case 'object':
      if (value === null) w.ascii('{}');
      else writeObjectValue(w, value);
      return;
    default:
      w.ascii('{}');
  }
}

function writeObjectValue(w: JsonWriter, value: object): void {
  if (value instanceof Uint8Array) {
    w.ascii(`{"bytesValue":"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"}`);
    return;
  }
  if (Array.isArray(value)) {
    w.lit('{"arrayValue":{"values":[');
    // Indexed, not for-of: holes in a sparse array are elements too ({}).
    for (let i = 0; i < value.length; i++) {
      if (i > 0) w.ascii(',');
      writeAnyValue(w, value[i]);
    }
    w.ascii(']}}');
    return;
  }
  w.lit('{"kvlistValue":{"values":');
  writeKeyValues(w, value as Record<string, unknown>);
  w.ascii('}}');
}

/** `[{"key":...,"value":AnyValue},...]` for each own enumerable key, in key order. */
export function writeKeyValues(w: JsonWriter, values: Record<string, unknown>): void {
  let first = true;
  // for-in with an own-property check visits exactly Object.keys' keys in the
  // same order, and V8 runs it from the shape's enum cache: several times faster.
  for (const key in values) {
    if (!hasOwn.call(values, key)) continue;
    if (!first) w.ascii('}');
    const fragments = KEY_FRAGMENTS.get(key);
    const value = values[key];
    if (typeof value === 'string') {
      w.opening(fragments.string, first);
      w.string(value);
      w.ascii('}');
    } else if (typeof value === 'number' && Number.isInteger(value)) {
      w.opening(fragments.int, first);
      w.integer(value);
      w.ascii('}');
    } else {
      w.opening(fragments.any, first);
      writeAnyValue(w, value);
    }
    first = false;
  }
  w.ascii(first ? '[]' : '}]');
}

/** Attributes as a KeyValue list; a missing attributes object is an empty list. */
export function writeAttributes(w: JsonWriter, attributes: Attributes | undefined): void {
  if (attributes) writeKeyValues(w, attributes);
  else w.lit('[]');
}
