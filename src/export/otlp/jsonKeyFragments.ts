import { FragmentCache } from './FragmentCache';

/**
 * The bytes that open one KeyValue in an OTLP/JSON attribute list, per key
 * and per value type: `,{"key":"http.request.method","value":{"stringValue":`.
 * Attribute keys repeat on every span, so escaping and encoding them once
 * and copying the bytes natively is most of what makes attributes cheap.
 * The leading comma becomes `[` for a list's first element (see JsonWriter.opening).
 */
export interface KeyFragments {
  /** Up to and including `"value":`, for values written generically. */
  any: Uint8Array;
  /** Up to and including `{"stringValue":`. */
  string: Uint8Array;
  /** Up to and including `{"intValue":`. */
  int: Uint8Array;
}

export const KEY_FRAGMENTS = new FragmentCache<KeyFragments>(key => {
  const head = `,{"key":${JSON.stringify(key)},"value":`;
  return {
    any: Buffer.from(head),
    string: Buffer.from(`${head}{"stringValue":`),
    int: Buffer.from(`${head}{"intValue":`),
  };
});
