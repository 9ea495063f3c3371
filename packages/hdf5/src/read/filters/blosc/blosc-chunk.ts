import { fail } from "@codec/core";
import { blockFilters, undoBlockFilters } from "./blosc-filters.js";
import { type BloscHeader, FLAG_DONT_SPLIT, FLAG_MEMCPYED, parseBloscHeader, readI32 } from "./blosc-header.js";
import { type StreamDecoder, streamDecoder } from "./codecs.js";

/**
 * Decode one Blosc chunk (Blosc 1 format version 1-2 or Blosc2 3-5) into
 * its `nbytes` uncompressed bytes. The layout after the header
 * (README_CHUNK_FORMAT.rst "Blocks"): `bstarts`, one int32 offset per
 * block; then for every block one or more streams, each an int32 size and
 * that many bytes. Blocks are `blocksize` bytes, the last one possibly
 * shorter. A memcpy'd chunk (flags bit 1) is the raw data right after the
 * header; a Blosc2 chunk whose blosc2 flags name a special value has no
 * data at all.
 *
 * `maxBytes` bounds the output: a header claiming more is LIMIT. Only
 * `header.cbytes` bytes of `src` are read.
 */

/** Elements per stream below which Blosc 1 never splits a block (blosc.c MIN_BUFFERSIZE). */
const MIN_BUFFERSIZE = 128;
/** Widest type Blosc 1 splits into one stream per byte (blosc.c MAX_SPLITS). */
const MAX_SPLITS = 16;

/** blosc2 flags (README_CHUNK_FORMAT.rst "blosc2_flags"). */
const B2_USE_DICT = 0x01;
const B2_LAZY = 0x08;
const B2_INSTRUMENTED = 0x80;

export function decodeBloscChunk(src: Uint8Array, maxBytes: number, format: string, base = 0): Uint8Array {
  const h = parseBloscHeader(src, format, base);
  if (h.nbytes > maxBytes) fail("LIMIT", format, `Blosc chunk claims ${h.nbytes} bytes, more than the ${maxBytes} expected`, { offset: base + 4 });
  const data = src.subarray(0, h.cbytes);
  const special = (h.blosc2Flags >> 4) & 7;
  if (special !== 0) return specialChunk(h, data, special, format, base);
  if (h.blosc2Flags & B2_LAZY) fail("UNSUPPORTED", format, "Blosc2 lazy chunks (data left in a file frame) are not supported", { offset: base + 31 });
  if (h.blosc2Flags & B2_USE_DICT) fail("UNSUPPORTED", format, "Blosc2 chunks compressed with a dictionary are not supported", { offset: base + 31 });
  if (h.blosc2Flags2 !== 0) fail("UNSUPPORTED", format, "Blosc2 chunks with variable-length blocks are not supported", { offset: base + 30 });
  if (h.blosc2Flags & B2_INSTRUMENTED) fail("UNSUPPORTED", format, "instrumented Blosc2 chunks are not supported", { offset: base + 31 });
  const out = new Uint8Array(h.nbytes);
  if (h.nbytes === 0) return out;
  if (h.flags & FLAG_MEMCPYED) {
    if (h.cbytes !== h.nbytes + h.headerLen) fail("CORRUPT", format, `memcpy'd Blosc chunk of ${h.nbytes} bytes has size ${h.cbytes}`, { offset: base + 12 });
    out.set(data.subarray(h.headerLen, h.headerLen + h.nbytes));
    return out;
  }
  decodeBlocks(h, data, out, format, base);
  return out;
}

function decodeBlocks(h: BloscHeader, data: Uint8Array, out: Uint8Array, format: string, base: number): void {
  const { nbytes, blocksize, typesize, cbytes, headerLen } = h;
  const nblocks = Math.ceil(nbytes / blocksize);
  const leftover = nbytes % blocksize;
  if (nblocks * 4 > cbytes - headerLen) fail("CORRUPT", format, `Blosc chunk's ${nblocks} block offsets do not fit in ${cbytes} bytes`, { offset: base + headerLen });
  let streamAt = 0;
  const decode: StreamDecoder = streamDecoder(h.compFormat, format, () => base + streamAt);
  const filters = blockFilters(h, format, base);
  const bmax = Math.min(blocksize, nbytes);
  const streams = filters.length > 0 ? new Uint8Array(bmax) : undefined;
  const scratch = filters.length > 0 ? new Uint8Array(bmax) : undefined;
  const dontSplit = (h.flags & FLAG_DONT_SPLIT) !== 0;
  for (let j = 0; j < nblocks; j++) {
    const lastShort = j === nblocks - 1 && leftover > 0;
    const bsize = lastShort ? leftover : blocksize;
    const dst = j * blocksize;
    // Blosc 1 splits a block into one stream per byte of the type only when
    // that leaves at least MIN_BUFFERSIZE elements per stream; Blosc2 does
    // whenever the split flag allows it. Never for the short last block.
    let nsplits = 1;
    if (!dontSplit && !lastShort) {
      if (h.version >= 3) nsplits = typesize;
      else if (typesize <= MAX_SPLITS && Math.floor(bsize / typesize) >= MIN_BUFFERSIZE) nsplits = typesize;
    }
    const neblock = Math.floor(bsize / nsplits);
    if (neblock === 0 || neblock * nsplits !== bsize) fail("CORRUPT", format, `Blosc block of ${bsize} bytes does not split into ${nsplits} streams`, { offset: base + 8 });
    const target = streams ? streams.subarray(0, bsize) : out.subarray(dst, dst + bsize);
    let pos = readI32(data, headerLen + j * 4);
    if (pos < headerLen || pos >= cbytes) fail("CORRUPT", format, `Blosc block ${j} starts at ${pos}, outside the chunk`, { offset: base + headerLen + j * 4 });
    for (let s = 0; s < nsplits; s++) {
      if (pos + 4 > cbytes) fail("TRUNCATED", format, `Blosc block ${j} stream ${s} size runs past the chunk`, { offset: base + pos });
      const csize = readI32(data, pos);
      streamAt = pos;
      pos += 4;
      const part = target.subarray(s * neblock, (s + 1) * neblock);
      if (csize === 0) {
        // Blosc2: a stream of zeros with no data.
        part.fill(0);
      } else if (csize < 0) {
        // Blosc2: a token byte follows; bit 0 means a run of the byte -csize.
        if (pos >= cbytes) fail("TRUNCATED", format, "Blosc stream token runs past the chunk", { offset: base + pos });
        const token = data[pos++];
        if (!(token & 1)) fail("UNSUPPORTED", format, `Blosc stream token 0x${token.toString(16)} is not supported`, { offset: base + pos - 1 });
        if (csize < -255) fail("CORRUPT", format, `Blosc run-length stream has value ${-csize}`, { offset: base + streamAt });
        part.fill(-csize);
      } else {
        if (csize > cbytes - pos) fail("TRUNCATED", format, `Blosc stream of ${csize} bytes runs past the chunk`, { offset: base + streamAt });
        const bytes = data.subarray(pos, pos + csize);
        // A stream as long as its output was stored uncompressed.
        if (csize === neblock) part.set(bytes);
        else decode(bytes, part);
        pos += csize;
      }
    }
    if (streams && scratch) undoBlockFilters(filters, h, streams, scratch, out, dst, bsize);
  }
}

/** NaN bit patterns c-blosc2 writes (set_nans: nanf("") and nan("")), little-endian. */
const NAN32 = Uint8Array.of(0, 0, 0xc0, 0x7f);
const NAN64 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0xf8, 0x7f);

/**
 * Blosc2 chunks of one repeated value (blosc2 flags bits 4-6): 1 zeros,
 * 2 NaNs (4- or 8-byte floats), 3 the `typesize` bytes after the header,
 * 4 uninitialized (we give zeros).
 */
function specialChunk(h: BloscHeader, data: Uint8Array, special: number, format: string, base: number): Uint8Array {
  const out = new Uint8Array(h.nbytes);
  let pattern: Uint8Array | undefined;
  switch (special) {
    case 1:
    case 4:
      return out;
    case 2:
      pattern = h.typesize === 4 ? NAN32 : h.typesize === 8 ? NAN64 : undefined;
      if (!pattern) fail("CORRUPT", format, `Blosc2 NaN chunk has type size ${h.typesize}`, { offset: base + 3 });
      break;
    case 3:
      if (h.cbytes < h.headerLen + h.typesize) fail("TRUNCATED", format, "Blosc2 repeated-value chunk is missing its value", { offset: base + h.headerLen });
      pattern = data.subarray(h.headerLen, h.headerLen + h.typesize);
      break;
    default:
      return fail("CORRUPT", format, `Blosc2 chunk has unknown special value kind ${special}`, { offset: base + 31 });
  }
  if (h.nbytes % h.typesize !== 0) fail("CORRUPT", format, `Blosc2 special chunk of ${h.nbytes} bytes is not whole ${h.typesize}-byte values`, { offset: base + 4 });
  const n = h.typesize;
  if (h.nbytes > 0) {
    out.set(pattern, 0);
    // Doubling copies: O(log n) calls.
    for (let filled = n; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled));
  }
  return out;
}
