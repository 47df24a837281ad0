/**
 * HPACK Huffman decoding (RFC 7541 section 5.2 and Appendix B).
 *
 * The code of Appendix B is canonical: codes of one length are consecutive
 * and ordered by symbol, and each length continues where the shorter one
 * stopped. So the 257 code lengths below determine every code; the unit
 * tests check codes taken from the RFC's table and its Appendix C examples.
 *
 * Decoding walks the code tree four bits at a time through a table built
 * once at load: for each inner node (at most 256) and each nibble, the node
 * reached and the symbol completed on the way, if any. Codes are at least
 * five bits long, so one nibble completes at most one symbol.
 */

// prettier-ignore
const CODE_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6,
  12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13,
  14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14,
  13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23,
  23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22,
  22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27,
  27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27,
  27, 26,
  30, // EOS
];

const EOS = 256;

/** Code and length of every symbol, derived canonically from CODE_LENGTHS. */
export function huffmanCodes(): Array<{ code: number; length: number }> {
  const order = CODE_LENGTHS.map((_, sym) => sym).sort((a, b) => CODE_LENGTHS[a] - CODE_LENGTHS[b] || a - b);
  const out = new Array<{ code: number; length: number }>(CODE_LENGTHS.length);
  let code = 0;
  let len = CODE_LENGTHS[order[0]];
  for (let i = 0; i < order.length; i++) {
    const sym = order[i];
    if (i > 0) {
      // Multiplication, not shifts: codes of 30 bits overflow int32 shifts.
      code = (code + 1) * 2 ** (CODE_LENGTHS[sym] - len);
      len = CODE_LENGTHS[sym];
    }
    out[sym] = { code, length: len };
  }
  return out;
}

// Transition entries: bits 0-7 next node, bit 8 "emits", bits 9-16 symbol,
// bit 17 "failed" (EOS decoded, which RFC 7541 section 5.2 makes an error).
const EMITS = 1 << 8;
const SYMBOL_SHIFT = 9;
const FAILED = 1 << 17;

interface Tables {
  transitions: Int32Array;
  /** Per node: 1 if a string may end there (padding of at most 7 one-bits). */
  accepting: Uint8Array;
}

function buildTables(): Tables {
  // The tree as arrays: child[node*2 + bit], >= 0 an inner node, < 0 a leaf
  // holding -(symbol + 1). Node 0 is the root.
  const child: number[] = [0, 0];
  const depth: number[] = [0];
  const allOnes: boolean[] = [true];
  let nodes = 1;
  const codes = huffmanCodes();
  for (let sym = 0; sym < codes.length; sym++) {
    const { code, length } = codes[sym];
    let node = 0;
    for (let i = length - 1; i >= 0; i--) {
      const bit = Math.floor(code / 2 ** i) & 1;
      const slot = node * 2 + bit;
      if (i === 0) {
        child[slot] = -(sym + 1);
      } else {
        if (child[slot] === 0) {
          child[slot] = nodes;
          child.push(0, 0);
          depth.push(depth[node] + 1);
          allOnes.push(allOnes[node] && bit === 1);
          nodes++;
        }
        node = child[slot];
      }
    }
  }
  const transitions = new Int32Array(nodes * 16);
  const accepting = new Uint8Array(nodes);
  for (let n = 0; n < nodes; n++) {
    accepting[n] = allOnes[n] && depth[n] <= 7 ? 1 : 0;
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = n;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const next = child[node * 2 + ((nibble >> i) & 1)];
        if (next < 0) {
          const sym = -next - 1;
          if (sym === EOS) {
            entry |= FAILED;
            break;
          }
          entry |= EMITS | (sym << SYMBOL_SHIFT);
          node = 0;
        } else {
          node = next;
        }
      }
      transitions[n * 16 + nibble] = entry | node;
    }
  }
  return { transitions, accepting };
}

const { transitions: TRANSITIONS, accepting: ACCEPTING } = buildTables();

/** Most bytes `n` Huffman-coded bytes can decode to (codes are >= 5 bits). */
export function maxHuffmanDecodedLength(n: number): number {
  return Math.floor((n * 8) / 5);
}

/**
 * Decodes src[start, end) into out from index 0; returns the decoded length,
 * or -1 when the input is not a valid Huffman string (EOS inside, or
 * padding that is not a short run of one-bits). `out` must hold
 * maxHuffmanDecodedLength(end - start) bytes.
 */
export function decodeHuffman(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let node = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = src[i];
    let t = TRANSITIONS[node * 16 + (b >> 4)];
    if (t & FAILED) return -1;
    if (t & EMITS) out[n++] = (t >> SYMBOL_SHIFT) & 0xff;
    node = t & 0xff;
    t = TRANSITIONS[node * 16 + (b & 0xf)];
    if (t & FAILED) return -1;
    if (t & EMITS) out[n++] = (t >> SYMBOL_SHIFT) & 0xff;
    node = t & 0xff;
  }
  return ACCEPTING[node] === 1 ? n : -1;
}
