/** Result of looking up a dynamic-table index. */
export const enum Lookup {
  Found,
  /** The entry exists in the peer's table but we never saw it inserted. */
  Unknown,
  /** The index is beyond the table: the encoder is wrong (or we are). */
  OutOfRange,
}

/** RFC 7541 section 4.1: an entry costs its octets plus 32. */
export const ENTRY_OVERHEAD = 32;

/**
 * One direction's HPACK dynamic table (RFC 7541 section 2.3.2), as far as
 * we know it.
 *
 * An observer can miss instructions: it starts late, or a gap hides part of
 * a header block. It then cannot know the older entries, but it still knows
 * the entries it saw inserted since: the table is a FIFO, so the k-th most
 * recent insertion we saw is at dynamic index k for as long as the encoder
 * references it (an encoder only references entries it still has). So
 * indexes within the entries we saw inserted resolve exactly; indexes past
 * them are Unknown rather than wrong. The table becomes exact again (indexes
 * past the end are errors) when we can prove nothing unknown is left in it:
 * the size is set to 0, an entry larger than the table empties it, or the
 * entries we know fill the known capacity so that no unknown entry (at
 * least 32 octets) could still fit.
 *
 * We keep at most `hardLimit` octets of entries whatever the peer allows, so
 * a peer that advertises a huge table costs us bounded memory; entries
 * dropped for that reason turn lookups past them into Unknown.
 */
export class HpackTable {
  /** Whether our entries are the whole table. */
  exact = true;
  /** The table's maximum size in octets, when we know it. */
  capacity: number | undefined;
  /** Octets of the entries we hold. */
  size = 0;
  private names: string[] = [];
  private values: string[] = [];
  private sizes: number[] = [];
  /** Ring buffer: slot of the newest entry, and number of entries. */
  private newest = 0;
  private count = 0;
  /**
   * Whether our entries are all still in the real table. Insertions made
   * while the capacity was unknown may have evicted some of ours without
   * our noticing; then `size` overcounts and cannot prove exactness.
   */
  private ghostFree = true;

  constructor(readonly hardLimit: number, capacity: number | undefined) {
    this.reset(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Starts over: empty and exact with a known capacity, else unknown. */
  reset(capacity: number | undefined): void {
    this.clear();
    this.capacity = capacity;
    this.exact = capacity !== undefined;
  }

  /**
   * Instructions were missed: forget the entries (their indexes shifted by
   * an unknown amount). The capacity stays known only if the caller knows
   * no size update was among the missed instructions.
   */
  lose(capacityStillKnown: boolean): void {
    this.clear();
    this.exact = false;
    if (!capacityStillKnown) this.capacity = undefined;
  }

  /** `index` is 0-based within the dynamic table (wire index - 62). */
  lookup(index: number): Lookup {
    if (index < this.count) return Lookup.Found;
    return this.exact ? Lookup.OutOfRange : Lookup.Unknown;
  }

  name(index: number): string {
    return this.names[this.slot(index)];
  }

  value(index: number): string {
    return this.values[this.slot(index)];
  }

  insert(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    const cap = this.capacity;
    if (cap !== undefined && entrySize > cap) {
      // RFC 7541 section 4.4: the table ends up empty, whatever it held.
      this.clear();
      this.exact = true;
      return;
    }
    if (entrySize > this.hardLimit) {
      this.insertUnknown();
      return;
    }
    if (cap === undefined) this.ghostFree = false;
    else this.evict(cap - entrySize);
    this.trim(this.hardLimit - entrySize);
    this.push(name, value, entrySize);
    this.checkExact();
  }

  /** An entry we could not read was inserted: index shifts we cannot follow. */
  insertUnknown(): void {
    this.clear();
    this.exact = false;
  }

  /** A dynamic table size update (RFC 7541 section 6.3). */
  resize(capacity: number): void {
    if (this.capacity === undefined && this.count > 0) this.ghostFree = false;
    this.capacity = capacity;
    if (capacity === 0) {
      this.clear();
      this.exact = true;
      return;
    }
    this.evict(capacity);
    this.checkExact();
  }

  private checkExact(): void {
    const cap = this.capacity;
    if (!this.exact && this.ghostFree && cap !== undefined && this.size + ENTRY_OVERHEAD > cap) {
      this.exact = true;
    }
  }

  /**
   * The peer's eviction (RFC 7541 section 4.4): unknown older entries go
   * first, so ours go only once our own entries exceed `limit`.
   */
  private evict(limit: number): void {
    while (this.count > 0 && this.size > limit) this.dropOldest();
  }

  /** Our own bound: what we drop the peer may still hold. */
  private trim(limit: number): void {
    while (this.count > 0 && this.size > limit) {
      this.dropOldest();
      this.exact = false;
    }
  }

  private dropOldest(): void {
    const slot = this.slot(this.count - 1);
    this.size -= this.sizes[slot];
    this.names[slot] = '';
    this.values[slot] = '';
    this.count--;
  }

  private push(name: string, value: string, entrySize: number): void {
    if (this.count === this.names.length) this.grow();
    const mask = this.names.length - 1;
    this.newest = (this.newest - 1 + this.names.length) & mask;
    this.names[this.newest] = name;
    this.values[this.newest] = value;
    this.sizes[this.newest] = entrySize;
    this.count++;
    this.size += entrySize;
  }

  /** Doubles the ring (always a power of two), keeping newest-first order. */
  private grow(): void {
    const n = Math.max(16, this.names.length * 2);
    const names = new Array<string>(n).fill('');
    const values = new Array<string>(n).fill('');
    const sizes = new Array<number>(n).fill(0);
    for (let i = 0; i < this.count; i++) {
      const s = this.slot(i);
      names[i] = this.names[s];
      values[i] = this.values[s];
      sizes[i] = this.sizes[s];
    }
    this.names = names;
    this.values = values;
    this.sizes = sizes;
    this.newest = 0;
  }

  private slot(index: number): number {
    return (this.newest + index) & (this.names.length - 1);
  }

  private clear(): void {
    for (let i = 0; i < this.names.length; i++) {
      this.names[i] = '';
      this.values[i] = '';
    }
    this.count = 0;
    this.size = 0;
    this.newest = 0;
    this.ghostFree = true;
  }
}
