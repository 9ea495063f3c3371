import { fail } from "@codec/core";
import { decodeBloscChunk } from "./blosc-chunk.js";
import { MsgpackCursor } from "./msgpack-cursor.js";

/**
 * A Blosc2 contiguous frame (c-blosc2 README_CFRAME_FORMAT.rst): a msgpack
 * header, the chunks, an index chunk of int64 chunk offsets and a msgpack
 * trailer. The hdf5-blosc2 filter stores one frame per HDF5 chunk
 * (HDFGroup/hdf5_plugins BLOSC2/src/H5Zblosc2.c: blosc2_schunk_to_buffer or
 * b2nd_to_cframe when compressing, blosc2_schunk_from_buffer when not).
 *
 * Header fields, in order: magic "b2frame\0", header size, frame size,
 * 4 flag bytes (general flags: format version in bits 0-3, chunk offset
 * width in bits 4-5, 1 = 64-bit; frame type: 0 contiguous), uncompressed
 * size, compressed size (the chunks section), type size, block size, chunk
 * size, compression and decompression threads, has-vlmetalayers, the
 * filter pipeline (fixext 16) and the metalayers [idx, {name: offset},
 * [bin...]].
 */

const MAGIC = "b2frame\u0000";

export interface Blosc2Frame {
  /** The concatenated chunks: `nbytes` bytes. */
  readonly data: Uint8Array;
  readonly typesize: number;
  /** Metalayer contents by name (b2nd, caterva, ...). */
  readonly metalayers: ReadonlyMap<string, Uint8Array>;
}

/** Whether `src` starts like a cframe: a msgpack fixarray, then the 8-byte magic as a fixstr. */
export function looksLikeFrame(src: Uint8Array): boolean {
  return src.length >= 10 && (src[0] & 0xf0) === 0x90 && src[1] === 0xa8 && src[2] === 0x62 && src[3] === 0x32;
}

const textDecoder = new TextDecoder();

/** NaN patterns c-blosc2 writes for special NaN chunks, little-endian. */
const NAN32 = Uint8Array.of(0, 0, 0xc0, 0x7f);
const NAN64 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0xf8, 0x7f);

export function decodeBlosc2Frame(src: Uint8Array, maxBytes: number, format: string, base = 0): Blosc2Frame {
  if (!looksLikeFrame(src)) fail("BAD_MAGIC", format, "data is not a Blosc2 frame", { offset: base });
  const c = new MsgpackCursor(src, src.length, format, base);
  const fields = c.array("frame header");
  if (fields < 13) fail("CORRUPT", format, `Blosc2 frame header has ${fields} fields`, { offset: base });
  const magic = c.str("magic");
  if (textDecoder.decode(magic) !== MAGIC) fail("BAD_MAGIC", format, "Blosc2 frame magic is not b2frame", { offset: base + 1 });
  const hlen = c.int("header size");
  const flen = c.int("frame size");
  const flags = c.str("flags");
  const nbytes = c.int("uncompressed size");
  const cbytes = c.int("compressed size");
  const typesize = c.int("type size");
  c.int("block size");
  const chunksize = c.int("chunk size");
  c.int("compression threads");
  c.int("decompression threads");
  c.bool("has vlmetalayers");
  if (flags.length < 2) fail("CORRUPT", format, "Blosc2 frame flags are too short", { offset: base + 24 });
  if (flen > src.length) fail("TRUNCATED", format, `Blosc2 frame of ${flen} bytes has only ${src.length}`, { offset: base + 15 });
  if (hlen < c.pos || hlen > flen) fail("CORRUPT", format, `Blosc2 frame header size ${hlen} is invalid`, { offset: base + 10 });
  if ((flags[0] >> 4) & 3) {
    if (((flags[0] >> 4) & 3) !== 1) fail("UNSUPPORTED", format, "Blosc2 frame chunk offsets are not 64-bit", { offset: base + 25 });
  }
  // General flags bit 6: variable-length chunks; bit 7: variable-length blocks (c-blosc2 3.x).
  if (flags[0] & 0xc0) fail("UNSUPPORTED", format, "Blosc2 frames with variable-length chunks or blocks are not supported", { offset: base + 25 });
  if ((flags[1] & 0x0f) !== 0) fail("UNSUPPORTED", format, "sparse (directory) Blosc2 frames are not supported", { offset: base + 26 });
  if (typesize < 1 || typesize > 255) fail("CORRUPT", format, `Blosc2 frame type size ${typesize} is invalid`, { offset: base + 47 });
  if (nbytes < 0 || cbytes < 0 || chunksize < 0) fail("CORRUPT", format, "Blosc2 frame has a negative size", { offset: base + 29 });
  if (nbytes > maxBytes) fail("LIMIT", format, `Blosc2 frame holds ${nbytes} bytes, more than the ${maxBytes} expected`, { offset: base + 29 });
  if (hlen + cbytes > flen) fail("CORRUPT", format, "Blosc2 frame chunks run past the frame", { offset: base + 38 });
  const metalayers = readMetalayers(c, fields, hlen, format);

  const data = new Uint8Array(nbytes);
  if (nbytes === 0) return { data, typesize, metalayers };
  if (chunksize === 0) fail("UNSUPPORTED", format, "Blosc2 frames with variable-length chunks are not supported", { offset: base + 57 });
  const nchunks = Math.ceil(nbytes / chunksize);
  const offPos = hlen + cbytes;
  const index = decodeBloscChunk(src.subarray(offPos, flen), nchunks * 8, format, base + offPos);
  if (index.length !== nchunks * 8) fail("CORRUPT", format, `Blosc2 frame index has ${index.length / 8} offsets for ${nchunks} chunks`, { offset: base + offPos });
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  for (let i = 0; i < nchunks; i++) {
    const at = i * chunksize;
    const size = Math.min(chunksize, nbytes - at);
    const lo = view.getUint32(i * 8, true);
    const hi = view.getInt32(i * 8 + 4, true);
    if (hi < 0) {
      // Special chunk: bit 63 set; byte 7 says zeros (bit 0), NaNs (bit 1) or uninitialized (bit 2).
      const kind = (hi >>> 24) & 0x7f;
      if (kind & 1 || kind & 4) continue;
      if (kind & 2) {
        const nan = typesize === 4 ? NAN32 : typesize === 8 ? NAN64 : undefined;
        if (!nan || size % typesize !== 0) fail("CORRUPT", format, `Blosc2 NaN chunk with type size ${typesize}`, { offset: base + offPos });
        for (let p = at; p < at + size; p += typesize) data.set(nan, p);
        continue;
      }
      fail("CORRUPT", format, `Blosc2 frame chunk ${i} has unknown special offset kind ${kind}`, { offset: base + offPos });
    }
    const off = hi * 0x100000000 + lo;
    if (off >= cbytes) fail("CORRUPT", format, `Blosc2 frame chunk ${i} offset ${off} is outside the chunks`, { offset: base + offPos });
    const pos = hlen + off;
    const chunk = decodeBloscChunk(src.subarray(pos, hlen + cbytes), size, format, base + pos);
    if (chunk.length !== size) fail("CORRUPT", format, `Blosc2 frame chunk ${i} has ${chunk.length} bytes, expected ${size}`, { offset: base + pos });
    data.set(chunk, at);
  }
  return { data, typesize, metalayers };
}

/**
 * After the fixed fields: the filter pipeline (fixext 16) and then the
 * metalayers [idx, {name: offset}, [bin content...]]. Only names and
 * contents are kept; everything must lie inside the header.
 */
function readMetalayers(c: MsgpackCursor, fields: number, hlen: number, format: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let seen = 12;
  if (seen < fields && c.peek() === 0xd8) {
    c.fixext16("filter pipeline");
    seen++;
  }
  if (seen >= fields) return out;
  if ((c.peek() & 0xf0) !== 0x90 && c.peek() !== 0xdc) return out;
  const parts = c.array("metalayers");
  if (parts < 3) return out;
  c.int("metalayer index");
  const n = c.map("metalayer map");
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    names.push(textDecoder.decode(c.str("metalayer name")));
    c.int("metalayer offset");
    if (c.pos > hlen) fail("CORRUPT", format, "Blosc2 frame metalayers run past the header", { offset: c.pos });
  }
  const m = c.array("metalayer contents");
  if (m !== n) fail("CORRUPT", format, `Blosc2 frame has ${n} metalayer names and ${m} contents`, { offset: c.pos });
  for (let i = 0; i < n; i++) {
    const content = c.bin("metalayer content");
    if (c.pos > hlen) fail("CORRUPT", format, "Blosc2 frame metalayers run past the header", { offset: c.pos });
    out.set(names[i], content);
  }
  return out;
}
