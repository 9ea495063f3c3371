import { fail } from "@codec/core";

/**
 * The header every Blosc chunk starts with (c-blosc README_HEADER.rst,
 * c-blosc2 README_CHUNK_FORMAT.rst "Header"): 16 bytes, little-endian
 *
 *   0 version, 1 versionlz, 2 flags, 3 typesize,
 *   4 nbytes (uncompressed), 8 blocksize, 12 cbytes (whole chunk)
 *
 * and, when flags has both the byte- and bit-shuffle bits set (Blosc2),
 * 16 more: 16-21 filter codes, 22 user-defined codec, 23 codec meta,
 * 24-29 filter meta, 30 blosc2 flags2 (format 6: variable-length blocks),
 * 31 blosc2 flags.
 */

export const HEADER_LEN = 16;
export const EXTENDED_HEADER_LEN = 32;

/** flags bits (README_HEADER.rst / README_CHUNK_FORMAT.rst). */
export const FLAG_SHUFFLE = 0x01;
export const FLAG_MEMCPYED = 0x02;
export const FLAG_BITSHUFFLE = 0x04;
export const FLAG_DELTA = 0x08;
export const FLAG_DONT_SPLIT = 0x10;

/** Highest chunk format version known: c-blosc 1 writes 2, c-blosc2 3 to 6 (6: variable-length blocks). */
const MAX_VERSION = 6;
/** c-blosc2 format version 3 ("alpha") left filter slot 5 uninitialized (blosc2.c read_chunk_header). */
const VERSION_ALPHA = 3;

export interface BloscHeader {
  readonly version: number;
  readonly flags: number;
  /** Bits 5-7 of flags: the compressor format. */
  readonly compFormat: number;
  readonly typesize: number;
  readonly nbytes: number;
  readonly blocksize: number;
  readonly cbytes: number;
  /** 16, or 32 for a Blosc2 extended header. */
  readonly headerLen: number;
  /** Blosc2 filter pipeline (6 slots, applied 0..5 when compressing); undefined for a 16-byte header. */
  readonly filters: Uint8Array | undefined;
  readonly filtersMeta: Uint8Array | undefined;
  readonly udCodec: number;
  readonly blosc2Flags: number;
  /** Byte 30 of an extended header (c-blosc2 BLOSC2_CHUNK_BLOSC2_FLAGS2). */
  readonly blosc2Flags2: number;
}

function i32(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

export function readI32(b: Uint8Array, p: number): number {
  return i32(b, p);
}

/** Parse and sanity-check a chunk header; `base` places offsets in messages. */
export function parseBloscHeader(src: Uint8Array, format: string, base = 0): BloscHeader {
  if (src.length < HEADER_LEN) fail("TRUNCATED", format, `Blosc chunk of ${src.length} bytes is shorter than its 16-byte header`, { offset: base });
  const version = src[0];
  const flags = src[2];
  const typesize = src[3];
  const nbytes = i32(src, 4);
  const blocksize = i32(src, 8);
  const cbytes = i32(src, 12);
  if (version === 0) fail("CORRUPT", format, "Blosc chunk has format version 0", { offset: base });
  if (version > MAX_VERSION) fail("UNSUPPORTED", format, `Blosc chunk format version ${version} is newer than supported (${MAX_VERSION})`, { offset: base });
  if (typesize === 0) fail("CORRUPT", format, "Blosc chunk has a type size of 0", { offset: base + 3 });
  if (nbytes < 0 || blocksize < 0 || cbytes < 0) fail("CORRUPT", format, "Blosc chunk header has a negative size", { offset: base + 4 });
  const extended = (flags & (FLAG_SHUFFLE | FLAG_BITSHUFFLE)) === (FLAG_SHUFFLE | FLAG_BITSHUFFLE);
  const headerLen = extended ? EXTENDED_HEADER_LEN : HEADER_LEN;
  if (cbytes < headerLen) fail("CORRUPT", format, `Blosc chunk size ${cbytes} is smaller than its ${headerLen}-byte header`, { offset: base + 12 });
  if (cbytes > src.length) fail("TRUNCATED", format, `Blosc chunk needs ${cbytes} bytes, ${src.length} present`, { offset: base + 12 });
  if (nbytes > 0 && blocksize === 0) fail("CORRUPT", format, "Blosc chunk has a block size of 0", { offset: base + 8 });
  let filters: Uint8Array | undefined;
  let filtersMeta: Uint8Array | undefined;
  if (extended) {
    if (src.length < EXTENDED_HEADER_LEN) fail("TRUNCATED", format, "Blosc2 chunk is shorter than its 32-byte header", { offset: base });
    filters = src.slice(16, 22);
    filtersMeta = src.slice(24, 30);
    if (version === VERSION_ALPHA) {
      filters[5] = 0;
      filtersMeta[5] = 0;
    }
  }
  return {
    version,
    flags,
    compFormat: flags >> 5,
    typesize,
    nbytes,
    blocksize,
    cbytes,
    headerLen,
    filters,
    filtersMeta,
    udCodec: extended ? src[22] : 0,
    blosc2Flags: extended ? src[31] : 0,
    blosc2Flags2: extended ? src[30] : 0,
  };
}
