/**
 * Encoded bytes of text fragments that repeat from span to span (attribute
 * keys with the punctuation around them), so each is escaped and encoded once
 * rather than per span. Bounded: cleared when full, since keys are
 * low-cardinality in practice but nothing guarantees it.
 */
export class FragmentCache<T = Uint8Array> {
  private readonly _bytes = new Map<string, T>();

  constructor(private readonly _encode: (key: string) => T, private readonly _maxEntries = 4096) {}

  get(key: string): T {
    let bytes = this._bytes.get(key);
    if (bytes === undefined) {
      if (this._bytes.size >= this._maxEntries) this._bytes.clear();
      bytes = this._encode(key);
      this._bytes.set(key, bytes);
    }
    return bytes;
  }
}
