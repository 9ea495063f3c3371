import { fail } from "../errors.js";
import { type HuffmanTable, decodeHuffman4, decodeHuffmanStream, readHuffmanTree } from "./zstd-huffman.js";
import { BLOCK_SIZE_MAX, type ZstdState } from "./zstd-state.js";

/**
 * Parse the Literals_Section of a compressed block (RFC 8878 section
 * 3.1.1.3.1) at input[pos, end) and leave the regenerated literals in
 * st.litSrc[litStart, litEnd). Returns the position after the section.
 */
export function readLiterals(st: ZstdState, pos: number, end: number): number {
  const src = st.input;
  const format = st.format;
  if (pos >= end) fail("TRUNCATED", format, "literals section header is missing", { offset: pos });
  const b0 = src[pos];
  const type = b0 & 3;
  const sizeFormat = (b0 >>> 2) & 3;
  if (type < 2) {
    // Raw (0) or RLE (1): 5, 12 or 20 bits of Regenerated_Size (section 3.1.1.3.1.1).
    let size: number;
    let header: number;
    if ((sizeFormat & 1) === 0) {
      size = b0 >>> 3;
      header = 1;
    } else if (sizeFormat === 1) {
      if (pos + 2 > end) fail("TRUNCATED", format, "literals section header is truncated", { offset: pos });
      size = (b0 >>> 4) | (src[pos + 1] << 4);
      header = 2;
    } else {
      if (pos + 3 > end) fail("TRUNCATED", format, "literals section header is truncated", { offset: pos });
      size = (b0 >>> 4) | (src[pos + 1] << 4) | (src[pos + 2] << 12);
      header = 3;
    }
    if (size > BLOCK_SIZE_MAX) fail("CORRUPT", format, `literals size ${size} exceeds the block maximum`, { offset: pos });
    pos += header;
    if (type === 0) {
      if (pos + size > end) fail("TRUNCATED", format, "raw literals are truncated", { offset: pos });
      // Raw literals are used in place: no copy.
      st.litSrc = src;
      st.litStart = pos;
      st.litEnd = pos + size;
      return pos + size;
    }
    if (pos >= end) fail("TRUNCATED", format, "RLE literal byte is missing", { offset: pos });
    const buf = st.literalBuffer(size);
    buf.fill(src[pos], 0, size);
    st.litSrc = buf;
    st.litStart = 0;
    st.litEnd = size;
    return pos + 1;
  }
  // Compressed (2) or treeless (3): Regenerated_Size and Compressed_Size of 10, 14 or 18 bits.
  let regen: number;
  let comp: number;
  let header: number;
  const streams = sizeFormat === 0 ? 1 : 4;
  if (sizeFormat < 2) {
    if (pos + 3 > end) fail("TRUNCATED", format, "literals section header is truncated", { offset: pos });
    const h = b0 | (src[pos + 1] << 8) | (src[pos + 2] << 16);
    regen = (h >>> 4) & 0x3ff;
    comp = (h >>> 14) & 0x3ff;
    header = 3;
  } else if (sizeFormat === 2) {
    if (pos + 4 > end) fail("TRUNCATED", format, "literals section header is truncated", { offset: pos });
    const h = (b0 | (src[pos + 1] << 8) | (src[pos + 2] << 16) | (src[pos + 3] << 24)) >>> 0;
    regen = (h >>> 4) & 0x3fff;
    comp = h >>> 18;
    header = 4;
  } else {
    if (pos + 5 > end) fail("TRUNCATED", format, "literals section header is truncated", { offset: pos });
    regen = (b0 >>> 4) | (src[pos + 1] << 4) | ((src[pos + 2] & 0x3f) << 12);
    comp = (src[pos + 2] >>> 6) | (src[pos + 3] << 2) | (src[pos + 4] << 10);
    header = 5;
  }
  if (regen > BLOCK_SIZE_MAX) fail("CORRUPT", format, `literals size ${regen} exceeds the block maximum`, { offset: pos });
  pos += header;
  if (pos + comp > end) fail("TRUNCATED", format, "compressed literals are truncated", { offset: pos });
  const dataEnd = pos + comp;
  let table: HuffmanTable;
  if (type === 2) {
    const tree = readHuffmanTree(src, pos, dataEnd, format);
    table = tree.table;
    st.huffman = table;
    pos += tree.bytes;
  } else {
    // Section 3.1.1.3.1.1: treeless literals reuse the previous block's table.
    if (!st.huffman) fail("CORRUPT", format, "treeless literals without a previous Huffman table", { offset: pos });
    table = st.huffman;
  }
  // A block that is only literals (the sequences section is the single
  // byte 0, nbSeq = 0) gets them decoded straight into the output, saving
  // the copy; float weights compress to such blocks. When they would not
  // fit, the usual path reports the overflow.
  let out: Uint8Array;
  let base: number;
  if (dataEnd + 1 === end && src[dataEnd] === 0 && regen <= st.blockLimit - st.op && st.op + regen <= st.out.length) {
    out = st.out;
    base = st.op;
  } else {
    out = st.literalBuffer(regen);
    base = 0;
  }
  if (streams === 1) {
    decodeHuffmanStream(pos, dataEnd, table, out, base, regen, st.bits, format);
  } else {
    // Section 3.1.1.3.1.6: a 6-byte jump table gives the sizes of streams 1..3;
    // each of the first three regenerates ceil(regen / 4) bytes.
    if (pos + 6 > dataEnd) fail("CORRUPT", format, "literals jump table is truncated", { offset: pos });
    const s1 = src[pos] | (src[pos + 1] << 8);
    const s2 = src[pos + 2] | (src[pos + 3] << 8);
    const s3 = src[pos + 4] | (src[pos + 5] << 8);
    const a = pos + 6;
    const b = a + s1;
    const c = b + s2;
    const d = c + s3;
    if (d > dataEnd) fail("CORRUPT", format, "literals jump table points past the section", { offset: pos });
    const seg = (regen + 3) >>> 2;
    if (3 * seg > regen) fail("CORRUPT", format, "too few literals for four streams", { offset: pos });
    decodeHuffman4([a, b, c, d, dataEnd], table, out, base, seg, regen, st.bits, format);
  }
  st.litSrc = out;
  st.litStart = base;
  st.litEnd = base + regen;
  return dataEnd;
}
