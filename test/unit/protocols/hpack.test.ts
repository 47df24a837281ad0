import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, type DecodedBlock } from '../../../src/protocols/http2/HpackDecoder';
import { HpackTable, Lookup } from '../../../src/protocols/http2/HpackTable';
import { decodeHuffman, huffmanCodes, maxHuffmanDecodedLength } from '../../../src/protocols/http2/huffman';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from '../../../src/protocols/http2/staticTable';
import {
  hpackInt,
  indexed,
  literal,
  literalIndexed,
  literalIndexedName,
  literalNameIndex,
  sizeUpdate,
} from '../../fixtures/http2/wire';

const LIMITS = { maxTableSize: 65536, maxHeaderListSize: 65536 };

function decoder(capacity = 4096, limits = LIMITS): HpackDecoder {
  return new HpackDecoder(limits, capacity);
}

/** A decoder that starts without knowing the table (late start). */
function lateDecoder(): HpackDecoder {
  return new HpackDecoder(LIMITS, undefined);
}

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function decodeAll(d: HpackDecoder, block: number[] | Buffer, truncated = false): DecodedBlock {
  const b = Buffer.from(block);
  return d.decode(b, 0, b.length, truncated);
}

// RFC 7541 Appendix C: header blocks, decoded lists, and table size after each.
const C2: Array<[string, string, Array<[string, string]>, number]> = [
  ['C.2.1', '400a637573746f6d2d6b65790d637573746f6d2d686561646572', [['custom-key', 'custom-header']], 55],
  ['C.2.2', '040c2f73616d706c652f70617468', [[':path', '/sample/path']], 0],
  ['C.2.3', '100870617373776f726406736563726574', [['password', 'secret']], 0],
  ['C.2.4', '82', [[':method', 'GET']], 0],
];

const REQUESTS: Array<Array<[string, string]>> = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];
const REQUEST_SIZES = [57, 110, 164];

const RESPONSES: Array<Array<[string, string]>> = [
  [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'],
    ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
  ],
];
const RESPONSE_SIZES = [222, 222, 215];

const C3 = ['828684410f7777772e6578616d706c652e636f6d', '828684be58086e6f2d6361636865', '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565'];
const C4 = ['828684418cf1e3c2e5f23a6ba0ab90f4ff', '828684be5886a8eb10649cbf', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf'];
const C5 = [
  '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d',
  '4803333037c1c0bf',
  '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31',
];
const C6 = [
  '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
  '4883640effc1c0bf',
  '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
];

function runSequence(blocks: string[], capacity: number, lists: Array<Array<[string, string]>>, sizes: number[]): void {
  const d = decoder(capacity);
  blocks.forEach((h, i) => {
    const out = decodeAll(d, hex(h));
    assert.equal(out.error, undefined);
    assert.deepEqual(out.headers, lists[i]);
    assert.equal(out.unknownFields, 0);
    assert.equal(d.table.size, sizes[i], `table size after block ${i + 1}`);
    assert.equal(d.table.exact, true);
  });
}

describe('HPACK: RFC 7541 Appendix C', () => {
  it('C.1 integers: 10 and 1337 with a 5-bit prefix, 42 with 8 bits', () => {
    assert.deepEqual(hpackInt(10, 5), [0x0a]);
    assert.deepEqual(hpackInt(1337, 5), [0x1f, 0x9a, 0x0a]);
    // 1337 as a size update (pattern 001 + 5-bit prefix) decodes back.
    const d = lateDecoder();
    decodeAll(d, [0x3f, 0x9a, 0x0a]);
    assert.equal(d.table.capacity, 1337);
  });

  for (const [id, h, list, size] of C2) {
    it(`${id}: literal representations`, () => {
      const d = decoder();
      const out = decodeAll(d, hex(h));
      assert.deepEqual(out.headers, list);
      assert.equal(d.table.size, size);
    });
  }

  it('C.3: requests without Huffman, dynamic table carried across blocks', () => {
    runSequence(C3, 4096, REQUESTS, REQUEST_SIZES);
  });

  it('C.4: requests with Huffman', () => {
    runSequence(C4, 4096, REQUESTS, REQUEST_SIZES);
  });

  it('C.5: responses without Huffman, 256-octet table with evictions', () => {
    runSequence(C5, 256, RESPONSES, RESPONSE_SIZES);
  });

  it('C.6: responses with Huffman, 256-octet table with evictions', () => {
    runSequence(C6, 256, RESPONSES, RESPONSE_SIZES);
  });

  it('C.5.3 leaves the table holding exactly the RFC entries', () => {
    const d = decoder(256);
    for (const h of C5) decodeAll(d, hex(h));
    const t = d.table;
    assert.equal(t.length, 3);
    assert.deepEqual([0, 1, 2].map((i) => [t.name(i), t.value(i)]), [
      ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
      ['content-encoding', 'gzip'],
      ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ]);
  });
});

describe('HPACK: Huffman code', () => {
  const codes = huffmanCodes();

  it('has 257 symbols with the RFC 7541 Appendix B codes', () => {
    assert.equal(codes.length, 257);
    const check = (sym: number, code: number, length: number): void =>
      assert.deepEqual(codes[sym], { code, length }, `symbol ${sym}`);
    check(0x30, 0x0, 5); // '0'
    check(0x61, 0x3, 5); // 'a'
    check(0x20, 0x14, 6); // ' '
    check(0x3a, 0x5c, 7); // ':'
    check(0x00, 0x1ff8, 13);
    check(0x0a, 0x3ffffffc, 30);
    check(0xff, 0x3ffffee, 26);
    check(256, 0x3fffffff, 30); // EOS
  });

  it('round-trips every symbol through an encoder built from the table', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const encoded = huffmanEncode(all, codes);
    const out = Buffer.alloc(maxHuffmanDecodedLength(encoded.length));
    const n = decodeHuffman(encoded, 0, encoded.length, out);
    assert.equal(n, 256);
    assert.deepEqual(out.subarray(0, n), all);
  });

  it('rejects EOS inside a string, padding of 8 or more bits, and padding with a zero bit', () => {
    const out = Buffer.alloc(64);
    assert.equal(decodeHuffman(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, out), -1); // EOS (30 ones)
    assert.equal(decodeHuffman(Buffer.from([0x1f, 0xff]), 0, 2, out), -1); // 'a' + 11 one-bits of padding
    assert.equal(decodeHuffman(Buffer.from([0x18]), 0, 1, out), -1); // 'a' + padding 000
    assert.equal(decodeHuffman(Buffer.from([0x1f]), 0, 1, out), 1); // 'a' + padding 111
    assert.equal(decodeHuffman(Buffer.from([]), 0, 0, out), 0);
  });
});

function huffmanEncode(bytes: Buffer, codes: Array<{ code: number; length: number }>): Buffer {
  const bits: number[] = [];
  for (const b of bytes) {
    const { code, length } = codes[b];
    for (let i = length - 1; i >= 0; i--) bits.push(Math.floor(code / 2 ** i) & 1);
  }
  while (bits.length % 8 !== 0) bits.push(1);
  const out = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < bits.length; i++) out[i >> 3] |= bits[i] << (7 - (i & 7));
  return out;
}

describe('HPACK: static table', () => {
  it('has the 61 entries of Appendix A', () => {
    assert.equal(STATIC_TABLE_LENGTH, 61);
    assert.deepEqual(STATIC_TABLE[1], [':authority', '']);
    assert.deepEqual(STATIC_TABLE[8], [':status', '200']);
    assert.deepEqual(STATIC_TABLE[31], ['content-type', '']);
    assert.deepEqual(STATIC_TABLE[61], ['www-authenticate', '']);
  });
});

describe('HPACK: table size updates', () => {
  it('a size update evicts down to the new size and is followed', () => {
    const d = decoder();
    decodeAll(d, [...literalIndexed('a', 'x'.repeat(40)), ...literalIndexed('b', 'y'.repeat(40))]);
    assert.equal(d.table.length, 2);
    const out = decodeAll(d, [...sizeUpdate(100), ...indexed(62)]);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.headers, [['b', 'y'.repeat(40)]]);
    assert.equal(d.table.length, 1);
    assert.equal(d.table.capacity, 100);
    const beyond = decodeAll(d, indexed(63));
    assert.match(beyond.error ?? '', /out of range/);
  });

  it('two size updates at the start of a block are allowed (RFC 7541 section 4.2)', () => {
    const d = decoder();
    decodeAll(d, literalIndexed('a', 'b'));
    const out = decodeAll(d, [...sizeUpdate(0), ...sizeUpdate(4096), ...indexed(2)]);
    assert.equal(out.error, undefined);
    assert.equal(d.table.length, 0);
    assert.equal(d.table.capacity, 4096);
  });

  it('a size update after a field is an error', () => {
    const out = decodeAll(decoder(), [...indexed(2), ...sizeUpdate(100)]);
    assert.match(out.error ?? '', /after a field/);
  });

  it('a size update above SETTINGS_HEADER_TABLE_SIZE is an error', () => {
    const d = decoder();
    assert.match(decodeAll(d, sizeUpdate(8192)).error ?? '', /above SETTINGS_HEADER_TABLE_SIZE/);
    d.settingsLimit = 8192;
    assert.equal(decodeAll(d, sizeUpdate(8192)).error, undefined);
    assert.equal(d.table.capacity, 8192);
  });

  it('an entry larger than the table empties it', () => {
    const d = decoder(100);
    decodeAll(d, literalIndexed('a', 'b'));
    assert.equal(d.table.length, 1);
    const out = decodeAll(d, [...literalIndexed('big', 'v'.repeat(200)), ...indexed(2)]);
    assert.equal(out.error, undefined);
    assert.equal(d.table.length, 0);
    assert.equal(d.table.size, 0);
  });

  it('never keeps more than maxTableSize octets, whatever the peer allows', () => {
    const d = decoder(4096, { maxTableSize: 200, maxHeaderListSize: 65536 });
    d.settingsLimit = 1 << 20;
    decodeAll(d, sizeUpdate(1 << 20));
    for (let i = 0; i < 10; i++) decodeAll(d, literalIndexed(`n${i}`, 'v'.repeat(30)));
    assert.ok(d.table.size <= 200);
    // The newest entries resolve; older ones the peer still has are unknown, not errors.
    assert.deepEqual(decodeAll(d, indexed(62)).headers, [['n9', 'v'.repeat(30)]]);
    const old = decodeAll(d, indexed(70));
    assert.equal(old.error, undefined);
    assert.equal(old.unknownFields, 1);
  });
});

describe('HPACK: bad input', () => {
  it('index 0, and indexes past the dynamic table, are errors with fields before them kept', () => {
    assert.match(decodeAll(decoder(), [0x80]).error ?? '', /index 0/);
    const out = decodeAll(decoder(), [...indexed(2), ...indexed(62)]);
    assert.match(out.error ?? '', /out of range/);
    assert.deepEqual(out.headers, [[':method', 'GET']]);
    assert.match(decodeAll(decoder(), literalNameIndex(70, 'x')).error ?? '', /out of range/);
  });

  it('integers that overflow, strings past the block end, and bad Huffman are errors', () => {
    assert.match(decodeAll(decoder(), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).error ?? '', /integer/);
    assert.ok(decodeAll(decoder(), [0x00, 0x05, 0x61]).error);
    assert.match(decodeAll(decoder(), [0x00, 0x81, 0x00, 0x00]).error ?? '', /Huffman/);
  });

  it('a truncated block decodes its complete fields quietly', () => {
    const block = [...indexed(3), ...literalNameIndex(4, '/kspan.test.Echo/Say'), ...literal('x-long', 'z'.repeat(50))];
    const cut = block.slice(0, 30);
    const out = decodeAll(decoder(), cut, true);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.headers, [[':method', 'POST'], [':path', '/kspan.test.Echo/Say']]);
    assert.equal(out.truncated, true);
  });

  it('random bytes never throw', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const d = decoder();
      const block = Buffer.from(Array.from({ length: 1 + (i % 64) }, rnd));
      assert.doesNotThrow(() => d.decode(block, 0, block.length, i % 2 === 0));
    }
  });

  it('header lists over the limit keep decoding (table in sync) but drop the excess', () => {
    const d = decoder(4096, { maxTableSize: 65536, maxHeaderListSize: 100 });
    const out = decodeAll(d, [...literal('a', 'x'.repeat(50)), ...literalIndexed('b', 'y'.repeat(50)), ...indexed(2)]);
    assert.equal(out.oversize, true);
    assert.deepEqual(out.headers, [['a', 'x'.repeat(50)]]);
    assert.equal(d.table.length, 1);
    assert.deepEqual(decodeAll(d, indexed(62)).headers, [['b', 'y'.repeat(50)]]);
  });

  it('upper-case literal names are lower-cased', () => {
    assert.deepEqual(decodeAll(decoder(), literal('X-Trace', 'A')).headers, [['x-trace', 'A']]);
  });
});

describe('HPACK: partial knowledge (late start, gaps)', () => {
  it('an unknown table resolves static entries and literals, and reports dynamic ones as unknown', () => {
    const d = lateDecoder();
    const out = decodeAll(d, [...indexed(3), ...indexed(64), ...literalNameIndex(4, '/a'), ...literal('k', 'v')]);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.headers, [[':method', 'POST'], [':path', '/a'], ['k', 'v']]);
    assert.equal(out.unknownFields, 1);
    assert.equal(out.pseudoMaybeUnknown, true);
  });

  it('entries inserted while watching resolve exactly, older ones stay unknown', () => {
    const d = lateDecoder();
    decodeAll(d, [...literalIndexedName(1, 'svc.test'), ...literalIndexed('x-user', 'alice')]);
    const out = decodeAll(d, [...indexed(63), ...indexed(62), ...indexed(64)]);
    assert.deepEqual(out.headers, [[':authority', 'svc.test'], ['x-user', 'alice']]);
    assert.equal(out.unknownFields, 1);
    assert.equal(d.table.exact, false);
  });

  it('an insert whose name is unknown drops what we knew (indexes shift unseen)', () => {
    const d = lateDecoder();
    decodeAll(d, literalIndexed('x-a', '1'));
    decodeAll(d, literalIndexedName(70, 'v'));
    const out = decodeAll(d, indexed(63));
    assert.equal(out.unknownFields, 1);
    assert.deepEqual(out.headers, []);
  });

  it('becomes exact again after a size update to 0', () => {
    const d = lateDecoder();
    decodeAll(d, sizeUpdate(0));
    assert.equal(d.table.exact, true);
    assert.match(decodeAll(d, indexed(62)).error ?? '', /out of range/);
  });

  it('becomes exact again when known entries fill the known capacity', () => {
    const t = new HpackTable(65536, 4096);
    t.insert('a', 'b');
    t.lose(true);
    assert.equal(t.exact, false);
    assert.equal(t.lookup(0), Lookup.Unknown);
    // Entries of 128 octets: with 31 of them (3968) an unknown one of up to
    // 128 octets could still be there; the 32nd fills all 4096.
    for (let i = 0; i < 31; i++) t.insert(`n${String(i).padStart(2, '0')}`, 'v'.repeat(93));
    assert.equal(t.exact, false);
    t.insert('n31', 'v'.repeat(93));
    assert.equal(t.exact, true);
    assert.equal(t.lookup(t.length), Lookup.OutOfRange);
  });

  it('does not claim exactness when the capacity was unknown while inserting', () => {
    const t = new HpackTable(65536, undefined);
    for (let i = 0; i < 60; i++) t.insert(`n${i}`, 'v'.repeat(100));
    t.resize(4096);
    assert.equal(t.exact, false);
    assert.equal(t.lookup(t.length), Lookup.Unknown);
  });

  it('a gap inside a block keeps the decoded prefix exact and forgets the table after', () => {
    const d = decoder();
    decodeAll(d, literalIndexed('x-known', 'yes'));
    const out = decodeAll(d, [...indexed(62), ...literalIndexed('x-cut', 'zzzz')].slice(0, 4), true);
    assert.deepEqual(out.headers, [['x-known', 'yes']]);
    d.table.lose(out.sawField);
    assert.equal(decodeAll(d, indexed(62)).unknownFields, 1);
    assert.equal(d.table.capacity, 4096);
  });
});
