/**
 * HPACK decoder (RFC 7541) for one direction of one connection.
 *
 * Why our own and not a package: a passive observer needs a decoder that
 * (1) never throws on hostile or partial input, (2) can decode the captured
 * prefix of a block whose tail was never copied to us, (3) keeps going
 * after it missed instructions, resolving the dynamic entries it did see
 * inserted and reporting the others as unknown instead of guessing (see
 * HpackTable), and (4) bounds its table and header list whatever the peer
 * advertises. The npm HPACK decoders (hpack.js, hpack) are written for
 * endpoints: they throw on the first unexpected byte and assume they saw
 * every instruction since the connection began, so a late or gappy capture
 * would make them fail or, worse, resolve indexes against the wrong table.
 * Node's own decoder lives inside nghttp2 and is not reachable from JS.
 */
import { decodeHuffman, maxHuffmanDecodedLength } from './huffman';
import { ENTRY_OVERHEAD, HpackTable, Lookup } from './HpackTable';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from './staticTable';
import type { HeaderList } from './types';

/** What one header block decoded to. */
export interface DecodedBlock {
  /** Fields we could read, in wire order; names lower-cased. */
  headers: HeaderList;
  /** Fields present in the block that we could not read (unknown dynamic entries). */
  unknownFields: number;
  /** An unreadable field came before any readable regular field, so it may be a pseudo-header. */
  pseudoMaybeUnknown: boolean;
  /** The block was cut (gap, size limit): fields after the cut are missing. */
  truncated: boolean;
  /** The decoded list exceeded the header list limit: later fields were not kept. */
  oversize: boolean;
  /**
   * A field representation was read, so no table size update can follow
   * in this block (they come first): a truncated block cannot have hidden one.
   */
  sawField: boolean;
  /** Set when the block violates RFC 7541; fields before the violation are kept. */
  error?: string;
}

export interface HpackDecoderLimits {
  /** Most octets of dynamic table we keep, whatever the peer allows. */
  maxTableSize: number;
  /** Most octets (name + value + 32 per field) of header list we keep per block. */
  maxHeaderListSize: number;
}

/** Integers beyond this are treated as hostile (RFC 7541 section 5.1 lets us bound them). */
const MAX_INTEGER = 0x0fffffff;
const NOT_ENOUGH = -1;
const TOO_BIG = -2;
const BAD_HUFFMAN = -3;
/** Scratch for Huffman output kept between blocks; longer strings get a temporary one. */
const KEEP_SCRATCH_BYTES = 1024;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class HpackDecoder {
  readonly table: HpackTable;
  /**
   * The largest SETTINGS_HEADER_TABLE_SIZE the decoding side has
   * advertised; size updates above it are errors. Undefined when unknown
   * (we started late and saw no SETTINGS).
   */
  settingsLimit: number | undefined;
  private scratch = Buffer.alloc(256);
  // Cursor of the block being decoded; fields, not locals, so the integer
  // and string readers need not return tuples.
  private buf: Buffer = this.scratch;
  private pos = 0;
  private end = 0;

  constructor(private readonly limits: HpackDecoderLimits, initialCapacity: number | undefined) {
    this.table = new HpackTable(limits.maxTableSize, initialCapacity);
    this.settingsLimit = initialCapacity;
  }

  /**
   * Decodes block[start, end), updating the dynamic table. `truncated`
   * says the block continues beyond `end` unseen: decoding stops quietly at
   * the first representation cut by `end`, and the caller must then call
   * table.lose() since the unseen rest may have changed the table.
   */
  decode(block: Uint8Array, start: number, end: number, truncated: boolean): DecodedBlock {
    const out: DecodedBlock = {
      headers: [],
      unknownFields: 0,
      pseudoMaybeUnknown: false,
      truncated,
      oversize: false,
      sawField: false,
    };
    this.buf = asBuffer(block);
    this.pos = start;
    this.end = end;
    let listSize = 0;
    let sawRegular = false;
    while (this.pos < this.end) {
      const at = this.pos;
      const b = this.buf[at];
      let name: string | undefined;
      let value: string | undefined;
      let known = true;
      if (b & 0x80) {
        // Indexed field (section 6.1).
        const index = this.integer(7);
        if (index < 0) return this.stop(out, index, 'integer too large');
        if (index === 0) return this.fail(out, 'index 0');
        const found = this.entry(index);
        if (found === Lookup.OutOfRange) return this.fail(out, `index ${index} out of range`);
        if (found === Lookup.Found) {
          name = this.foundName;
          value = this.foundValue;
        } else known = false;
      } else if (b & 0x40 || (b & 0x20) === 0) {
        // Literal (section 6.2): with incremental indexing (01), without
        // indexing (0000) or never indexed (0001).
        const indexing = (b & 0x40) !== 0;
        const nameIndex = this.integer(indexing ? 6 : 4);
        if (nameIndex < 0) return this.stop(out, nameIndex, 'integer too large');
        if (nameIndex > 0) {
          const found = this.entry(nameIndex);
          if (found === Lookup.OutOfRange) return this.fail(out, `name index ${nameIndex} out of range`);
          if (found === Lookup.Found) name = this.foundName;
          else known = false;
        } else {
          const s = this.string();
          if (typeof s === 'number') return this.stop(out, s, 'bad name string');
          name = s.toLowerCase();
        }
        const v = this.string();
        if (typeof v === 'number') return this.stop(out, v, 'bad value string');
        value = v;
        if (indexing) {
          if (name === undefined) this.table.insertUnknown();
          else this.table.insert(name, value);
        }
      } else {
        // Dynamic table size update (section 6.3): only before the first field.
        const size = this.integer(5);
        if (size < 0) return this.stop(out, size, 'integer too large');
        if (out.sawField) return this.fail(out, 'table size update after a field');
        if (this.settingsLimit !== undefined && size > this.settingsLimit) {
          return this.fail(out, `table size update ${size} above SETTINGS_HEADER_TABLE_SIZE ${this.settingsLimit}`);
        }
        this.table.resize(size);
        continue;
      }
      out.sawField = true;
      if (!known) {
        out.unknownFields++;
        if (!sawRegular) out.pseudoMaybeUnknown = true;
        continue;
      }
      const n = name as string;
      const val = value as string;
      if (n.charCodeAt(0) !== 0x3a) sawRegular = true;
      listSize += n.length + val.length + ENTRY_OVERHEAD;
      if (listSize > this.limits.maxHeaderListSize) out.oversize = true;
      else out.headers.push([n, val]);
    }
    return this.done(out);
  }

  private foundName = '';
  private foundValue = '';

  /** Resolves a wire index (static or dynamic) into foundName/foundValue. */
  private entry(index: number): Lookup {
    if (index <= STATIC_TABLE_LENGTH) {
      const e = STATIC_TABLE[index];
      this.foundName = e[0];
      this.foundValue = e[1];
      return Lookup.Found;
    }
    const i = index - STATIC_TABLE_LENGTH - 1;
    const r = this.table.lookup(i);
    if (r === Lookup.Found) {
      this.foundName = this.table.name(i);
      this.foundValue = this.table.value(i);
    }
    return r;
  }

  /**
   * Reads an integer with an n-bit prefix (section 5.1) at pos; returns it,
   * NOT_ENOUGH when the block ends inside it, or TOO_BIG.
   */
  private integer(prefixBits: number): number {
    const buf = this.buf;
    const max = (1 << prefixBits) - 1;
    let value = buf[this.pos] & max;
    let p = this.pos + 1;
    if (value === max) {
      let shift = 0;
      for (;;) {
        if (p >= this.end) return NOT_ENOUGH;
        const b = buf[p++];
        value += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
        if (shift > 28) return TOO_BIG;
      }
      if (value > MAX_INTEGER) return TOO_BIG;
    }
    this.pos = p;
    return value;
  }

  /** Reads a string literal (section 5.2) as latin1; a negative number on failure. */
  private string(): string | number {
    if (this.pos >= this.end) return NOT_ENOUGH;
    const huffman = (this.buf[this.pos] & 0x80) !== 0;
    const len = this.integer(7);
    if (len < 0) return len;
    if (len > this.end - this.pos) return NOT_ENOUGH;
    const from = this.pos;
    this.pos += len;
    if (!huffman) return this.buf.toString('latin1', from, from + len);
    const need = maxHuffmanDecodedLength(len);
    if (this.scratch.length < need) this.scratch = Buffer.alloc(Math.max(need, this.scratch.length * 2));
    const n = decodeHuffman(this.buf, from, from + len, this.scratch);
    if (n < 0) return BAD_HUFFMAN;
    return this.scratch.toString('latin1', 0, n);
  }

  /**
   * A representation could not be read: the block ending inside it is
   * expected when the block is truncated and an error otherwise.
   */
  private stop(out: DecodedBlock, code: number, reason: string): DecodedBlock {
    if (code === NOT_ENOUGH) {
      if (!out.truncated) out.error = 'header block ends inside a field';
      return this.done(out);
    }
    return this.fail(out, code === TOO_BIG ? reason : 'bad Huffman string');
  }

  private fail(out: DecodedBlock, reason: string): DecodedBlock {
    out.error = reason;
    return this.done(out);
  }

  private done(out: DecodedBlock): DecodedBlock {
    // Do not keep the caller's bytes alive through the cursor, nor a
    // scratch buffer grown for one long Huffman string.
    if (this.scratch.length > KEEP_SCRATCH_BYTES) this.scratch = Buffer.alloc(KEEP_SCRATCH_BYTES);
    this.buf = this.scratch;
    return out;
  }
}
