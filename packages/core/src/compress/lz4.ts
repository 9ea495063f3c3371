import { type ErrorCode, fail, guardDecode } from "../errors.js";
import { xxhash32 } from "./xxhash32.js";

/**
 * LZ4 decompression from the LZ4 Block Format and LZ4 Frame Format
 * specifications (lz4/lz4 doc/lz4_Block_format.md, doc/lz4_Frame_format.md).
 *
 * A block is a run of sequences: a token (high nibble literal length, low
 * nibble match length - 4; 15 means "add the following bytes until one is
 * not 255"), the literals, a 2-byte little-endian offset back into the
 * output (0 is invalid) and the match. The last sequence has literals only.
 */

/** Minimum match length (block format: "minmatch" is 4). */
const MIN_MATCH = 4;

/**
 * Decode the block in `src[sp, send)` into `dst` from `dp`, writing no
 * further than `dend`; matches may reach back to `dstart` (the start of
 * this block for independent blocks, earlier for linked frame blocks).
 * Returns the output position after the block. `overflow` is the error code
 * for a block that decodes to more than `dend - dp` bytes.
 */
function decodeSequences(
  src: Uint8Array,
  sp: number,
  send: number,
  dst: Uint8Array,
  dp: number,
  dend: number,
  dstart: number,
  format: string,
  overflow: ErrorCode,
): number {
  if (sp >= send) fail("TRUNCATED", format, "empty LZ4 block (a block has at least one token)", { offset: sp });
  for (;;) {
    const token = src[sp++];
    // Literal length: high nibble, extended by 255-runs (block format "Token" / "Literals").
    let lit = token >>> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (sp >= send) fail("TRUNCATED", format, "LZ4 literal length runs past the block", { offset: sp });
        b = src[sp++];
        lit += b;
      }
    }
    if (lit > 0) {
      if (lit > send - sp) fail("TRUNCATED", format, `LZ4 literals (${lit} bytes) run past the block`, { offset: sp });
      if (lit > dend - dp) fail(overflow, format, "LZ4 literals run past the output buffer", { offset: sp });
      if (lit < 32) {
        for (let k = 0; k < lit; k++) dst[dp + k] = src[sp + k];
      } else {
        dst.set(src.subarray(sp, sp + lit), dp);
      }
      sp += lit;
      dp += lit;
    }
    // End of block: the last sequence carries literals only.
    if (sp === send) return dp;
    if (send - sp < 2) fail("TRUNCATED", format, "LZ4 match offset cut off", { offset: sp });
    const off = src[sp] | (src[sp + 1] << 8);
    if (off === 0) fail("CORRUPT", format, "LZ4 match offset 0", { offset: sp });
    if (off > dp - dstart) fail("CORRUPT", format, `LZ4 match offset ${off} reaches before the start of the output`, { offset: sp });
    sp += 2;
    let ml = token & 15;
    if (ml === 15) {
      let b = 255;
      while (b === 255) {
        if (sp >= send) fail("TRUNCATED", format, "LZ4 match length runs past the block", { offset: sp });
        b = src[sp++];
        ml += b;
      }
    }
    ml += MIN_MATCH;
    if (ml > dend - dp) fail(overflow, format, "LZ4 match runs past the output buffer", { offset: sp });
    let m = dp - off;
    if (off >= ml) {
      // Source and destination do not overlap.
      if (ml < 32) {
        for (let k = 0; k < ml; k++) dst[dp + k] = dst[m + k];
      } else {
        dst.copyWithin(dp, m, m + ml);
      }
      dp += ml;
    } else if (off === 1) {
      // A run of one byte repeated.
      dst.fill(dst[m], dp, dp + ml);
      dp += ml;
    } else if (ml < 64) {
      // Overlapping copy repeats the last `off` bytes; byte order matters.
      const end = dp + ml;
      while (dp < end) dst[dp++] = dst[m++];
    } else {
      // Long overlapping match: copy the period, then keep doubling the
      // copied span (each copyWithin reads only bytes already written).
      const end = dp + ml;
      let span = off;
      while (dp < end) {
        const n = Math.min(span, end - dp);
        dst.copyWithin(dp, m, m + n);
        dp += n;
        span += n;
      }
    }
  }
}

/**
 * Decode one raw LZ4 block (no frame, no size prefix) into `output`;
 * returns the number of bytes written. Throws CodecError TRUNCATED or
 * CORRUPT (with the input offset) when the block reads past its end,
 * refers before the start of the output, or does not fit `output`.
 */
export function lz4DecodeBlock(input: Uint8Array, output: Uint8Array, format = "lz4"): number {
  return guardDecode(format, () => decodeSequences(input, 0, input.length, output, 0, output.length, 0, format, "CORRUPT"));
}

/** Frame magic numbers (frame format spec, "General Structure" and "Skippable Frames"). */
const FRAME_MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Legacy frames cut their input into 8 MiB blocks. */
const LEGACY_BLOCK = 8 << 20;
/** Block maximum sizes by the BD byte's 3-bit field (4: 64 KB ... 7: 4 MB). */
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

function u32le(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** A growing output bounded by `max`; no allocation is sized by an unchecked header. */
class Output {
  buf: Uint8Array;
  length = 0;

  constructor(
    initial: number,
    readonly max: number,
    readonly format: string,
  ) {
    this.buf = new Uint8Array(Math.min(Math.max(initial, 0), max));
  }

  /** Make room for `n` more bytes, or as many as the limit allows. */
  reserve(n: number): void {
    const want = Math.min(this.length + n, this.max);
    if (want <= this.buf.length) return;
    const next = new Uint8Array(Math.min(Math.max(want, this.buf.length * 2), this.max));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  result(): Uint8Array {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}

/**
 * Decompress LZ4 frames (frame format spec): one or more concatenated
 * frames, skippable frames, and legacy frames (`lz4 -l`). Verifies the
 * header checksum, block checksums and content checksum (xxHash32) and
 * the declared content size. Output beyond `maxOutputBytes` is a LIMIT
 * error. Frames that need an external dictionary are UNSUPPORTED.
 */
export function lz4DecompressFrame(input: Uint8Array, maxOutputBytes: number, format = "lz4"): Uint8Array {
  return guardDecode(format, () => decompressFrames(input, maxOutputBytes, format));
}

function decompressFrames(src: Uint8Array, maxOutputBytes: number, format: string): Uint8Array {
  if (!(maxOutputBytes >= 0)) fail("USAGE", format, `maxOutputBytes must be a non-negative number, got ${maxOutputBytes}`);
  // Start small: the first header with a content size, or the blocks, grow it.
  const out = new Output(Math.min(src.length * 4, 1 << 20), Math.floor(maxOutputBytes), format);
  let p = 0;
  let frames = 0;
  while (p < src.length || frames === 0) {
    if (src.length - p < 4) fail("TRUNCATED", format, "LZ4 frame magic number cut off", { offset: p });
    const magic = u32le(src, p);
    if (magic === FRAME_MAGIC) p = decodeFrame(src, p, out, format);
    else if (magic === LEGACY_MAGIC) p = decodeLegacyFrame(src, p, out, format);
    else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      // Skippable frame: magic, 4-byte little-endian size, user data.
      if (src.length - p < 8) fail("TRUNCATED", format, "LZ4 skippable frame header cut off", { offset: p });
      const size = u32le(src, p + 4);
      if (size > src.length - p - 8) fail("TRUNCATED", format, `LZ4 skippable frame of ${size} bytes runs past the input`, { offset: p + 4 });
      p += 8 + size;
    } else if (frames === 0) {
      fail("BAD_MAGIC", format, `not an LZ4 frame (magic 0x${magic.toString(16).padStart(8, "0")})`, { offset: p });
    } else {
      fail("CORRUPT", format, `data after the last LZ4 frame is not a frame (magic 0x${magic.toString(16).padStart(8, "0")})`, { offset: p });
    }
    frames++;
  }
  return out.result();
}

/**
 * Most bytes `n` compressed bytes can decode to: each byte of a length
 * extension adds at most 255, a 3-byte token+offset at most 19 (block format).
 */
function expansionBound(n: number): number {
  return n * 255 + 64;
}

function limitError(out: Output, at: number): never {
  return fail("LIMIT", out.format, `LZ4 output exceeds the limit of ${out.max} bytes`, { offset: at });
}

/** One frame starting at `p` (its magic number); returns the position after it. */
function decodeFrame(src: Uint8Array, p: number, out: Output, format: string): number {
  const descStart = p + 4;
  if (src.length - descStart < 3) fail("TRUNCATED", format, "LZ4 frame descriptor cut off", { offset: descStart });
  const flg = src[descStart];
  const bd = src[descStart + 1];
  // FLG: version (bits 7-6) must be 01; bit 1 is reserved and must be 0.
  if (flg >>> 6 !== 1) fail("UNSUPPORTED", format, `LZ4 frame version ${flg >>> 6} (only version 1 exists)`, { offset: descStart });
  if (flg & 0x02) fail("CORRUPT", format, "LZ4 frame FLG reserved bit set", { offset: descStart });
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const hasDictId = (flg & 0x01) !== 0;
  // BD: bit 7 and bits 3-0 reserved; bits 6-4 the block maximum size (4..7).
  if (bd & 0x8f) fail("CORRUPT", format, "LZ4 frame BD reserved bits set", { offset: descStart + 1 });
  const blockMax = BLOCK_MAX[(bd >>> 4) & 7];
  if (blockMax === 0) fail("CORRUPT", format, `LZ4 frame block maximum size code ${(bd >>> 4) & 7} is invalid`, { offset: descStart + 1 });
  let q = descStart + 2;
  const descLen = 2 + (hasContentSize ? 8 : 0) + (hasDictId ? 4 : 0);
  if (src.length - descStart < descLen + 1) fail("TRUNCATED", format, "LZ4 frame descriptor cut off", { offset: descStart });
  let contentSize = -1;
  if (hasContentSize) {
    const lo = u32le(src, q);
    const hi = u32le(src, q + 4);
    // Anything from 2^53 up is far beyond any limit; keep it as a number that fails the check.
    contentSize = hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + lo;
    q += 8;
  }
  if (hasDictId) q += 4;
  // Header checksum: second byte of xxh32(descriptor, seed 0).
  const hc = (xxhash32(src, 0, descStart, q) >>> 8) & 0xff;
  if (hc !== src[q]) fail("CORRUPT", format, "LZ4 frame header checksum mismatch", { offset: q });
  q++;
  if (hasDictId) fail("UNSUPPORTED", format, "LZ4 frame needs an external dictionary (dictionary id set)", { offset: descStart });
  const frameStart = out.length;
  if (contentSize >= 0) {
    if (contentSize > out.max - out.length) limitError(out, descStart + 2);
    // Pre-size for the declared content, but never beyond what the
    // remaining input can expand to (a lying header allocates nothing big).
    out.reserve(Math.min(contentSize, expansionBound(src.length - q)));
  }
  for (;;) {
    if (src.length - q < 4) fail("TRUNCATED", format, "LZ4 block size cut off", { offset: q });
    const word = u32le(src, q);
    const blockAt = q;
    q += 4;
    if (word === 0) break; // EndMark
    const raw = word >= 0x80000000;
    const size = word & 0x7fffffff;
    if (size > blockMax) fail("CORRUPT", format, `LZ4 block of ${size} bytes exceeds the frame's block maximum ${blockMax}`, { offset: blockAt });
    if (size > src.length - q) fail("TRUNCATED", format, `LZ4 block of ${size} bytes runs past the input`, { offset: blockAt });
    if (blockChecksum) {
      if (src.length - q - size < 4) fail("TRUNCATED", format, "LZ4 block checksum cut off", { offset: q + size });
      if (xxhash32(src, 0, q, q + size) !== u32le(src, q + size)) fail("CORRUPT", format, "LZ4 block checksum mismatch", { offset: q + size });
    }
    if (raw) {
      if (size > out.max - out.length) limitError(out, blockAt);
      out.reserve(size);
      out.buf.set(src.subarray(q, q + size), out.length);
      out.length += size;
    } else {
      // A block decodes to at most blockMax bytes; room beyond the limit is not given.
      // A block decodes to at most blockMax bytes (and at most ~255x its
      // size); room beyond the limit is not given.
      const limited = out.max - out.length < blockMax;
      const room = Math.min(blockMax, out.max - out.length, expansionBound(size));
      out.reserve(room);
      const window = independent ? out.length : frameStart;
      out.length = decodeSequences(src, q, q + size, out.buf, out.length, out.length + room, window, format, limited ? "LIMIT" : "CORRUPT");
    }
    q += size + (blockChecksum ? 4 : 0);
  }
  const produced = out.length - frameStart;
  if (contentSize >= 0 && produced !== contentSize) fail("CORRUPT", format, `LZ4 frame declares ${contentSize} bytes of content but holds ${produced}`, { offset: descStart + 2 });
  if (contentChecksum) {
    if (src.length - q < 4) fail("TRUNCATED", format, "LZ4 content checksum cut off", { offset: q });
    if (xxhash32(out.buf, 0, frameStart, out.length) !== u32le(src, q)) fail("CORRUPT", format, "LZ4 content checksum mismatch", { offset: q });
    q += 4;
  }
  return q;
}

/**
 * Legacy frame (frame format spec, "Legacy frame"): the magic, then blocks
 * each with a 4-byte little-endian compressed size and decoding to at most
 * 8 MiB; it ends at the end of input or where another magic number follows.
 */
function decodeLegacyFrame(src: Uint8Array, p: number, out: Output, format: string): number {
  let q = p + 4;
  while (src.length - q >= 4) {
    const size = u32le(src, q);
    if (size === FRAME_MAGIC || size === LEGACY_MAGIC || (size & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) break;
    // A legacy block's compressed size is bounded by LZ4_compressBound(8 MiB).
    if (size > LEGACY_BLOCK + (LEGACY_BLOCK / 255 + 16)) fail("CORRUPT", format, `LZ4 legacy block of ${size} bytes is larger than any 8 MiB block compresses to`, { offset: q });
    if (size > src.length - q - 4) fail("TRUNCATED", format, `LZ4 legacy block of ${size} bytes runs past the input`, { offset: q });
    const limited = out.max - out.length < LEGACY_BLOCK;
    const room = Math.min(LEGACY_BLOCK, out.max - out.length, expansionBound(size));
    out.reserve(room);
    out.length = decodeSequences(src, q + 4, q + 4 + size, out.buf, out.length, out.length + room, out.length, format, limited ? "LIMIT" : "CORRUPT");
    q += 4 + size;
  }
  if (q !== src.length && src.length - q < 4) fail("TRUNCATED", format, "LZ4 legacy block size cut off", { offset: q });
  return q;
}
