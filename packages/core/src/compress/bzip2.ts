import { fail, guardDecode } from "../errors.js";
import { Bzip2BitReader } from "./bzip2-bits.js";
import { BlockDecoder } from "./bzip2-block.js";
import { Bzip2Output, buildTVector, walkBlock } from "./bzip2-bwt.js";
import { bzip2Crc, combineBzip2Crc } from "./bzip2-crc.js";

/** 48-bit block header magic (BCD of pi), split 24/24 for the bit reader. */
const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
/** 48-bit end-of-stream magic (BCD of sqrt(pi)). */
const EOS_MAGIC_HI = 0x177245;
const EOS_MAGIC_LO = 0x385090;

/**
 * The T-vector of the inverse BWT, kept between calls so decoding many
 * small streams (HDF5 chunks) does not allocate and zero 3.6 MB each time.
 * Decoding is synchronous and never re-entered, so one buffer per module
 * is safe.
 */
let ttCache = new Uint32Array(0);

function ttOfSize(n: number): Uint32Array {
  if (ttCache.length < n) ttCache = new Uint32Array(n);
  return ttCache;
}

/** Tables and selectors (about 40 KB), likewise reused; every block rebuilds what it uses. */
let blockDecoder: BlockDecoder | undefined;

/**
 * Decompress bzip2 data: one stream or several concatenated ones (as
 * `bzip2 -d` and Python's `bz2.decompress` accept). Every block CRC and
 * every stream's combined CRC is verified; randomised blocks (written by
 * bzip2 0.9.0) are supported.
 *
 * Stream layout: "BZh" + level '1'..'9' (blocks hold at most 100000 *
 * level bytes before the final run-length stage), then blocks (48-bit magic
 * 0x314159265359, CRC, randomised bit, 24-bit origPtr, symbol map, 2..6
 * Huffman tables, MTF-coded selectors, the Huffman-coded MTF/RUNA/RUNB
 * symbols) and an end-of-stream marker (0x177245385090 + combined CRC),
 * padded to a byte boundary.
 *
 * Output beyond `maxOutputBytes` is a LIMIT error; any malformed input is a
 * CodecError (TRUNCATED, BAD_MAGIC, CORRUPT) carrying `format` and the byte
 * offset. Bytes after the last stream that do not start another stream are
 * CORRUPT (Python rejects them too; `bzip2 -d` only warns).
 */
export function bzip2Decompress(input: Uint8Array, maxOutputBytes: number, format = "bzip2"): Uint8Array {
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    fail("USAGE", format, `bzip2: maxOutputBytes must be a non-negative integer (got ${maxOutputBytes})`);
  }
  return guardDecode(format, () => decodeStreams(input, maxOutputBytes, format));
}

function decodeStreams(input: Uint8Array, max: number, format: string): Uint8Array {
  // Text compresses 3-5x; start there and double as needed (up to max).
  const out = new Bzip2Output(Math.max(1 << 16, input.length * 6), max, format);
  blockDecoder ??= new BlockDecoder();
  const blocks = blockDecoder;
  let start = 0;
  do {
    start = decodeStream(input, start, out, blocks, format);
  } while (start < input.length);
  // A view when little of the buffer is unused (HDF5 chunks, whose bound is
  // the chunk plus a small margin), else a right-sized copy.
  const buf = out.buf;
  return out.len >= buf.length - (buf.length >>> 3) ? buf.subarray(0, out.len) : buf.slice(0, out.len);
}

/** Decode the stream at `start`; returns the byte offset just past it. */
function decodeStream(input: Uint8Array, start: number, out: Bzip2Output, blocks: BlockDecoder, format: string): number {
  const first = start === 0;
  const have = input.length - start;
  const magicOk = (i: number, c: number) => i >= have || input[start + i] === c;
  if (!(magicOk(0, 0x42) && magicOk(1, 0x5a) && magicOk(2, 0x68))) {
    if (first) fail("BAD_MAGIC", format, "bzip2: not a bzip2 stream (no 'BZh' header)", { offset: 0 });
    fail("CORRUPT", format, "bzip2: data after the end of the stream is not another bzip2 stream", { offset: start });
  }
  if (have < 4) fail("TRUNCATED", format, "bzip2: stream header is cut short", { offset: input.length });
  const level = input[start + 3] - 0x30;
  if (level < 1 || level > 9) fail("CORRUPT", format, `bzip2: block size digit '${String.fromCharCode(input[start + 3])}' is not 1..9`, { offset: start + 3 });
  const levelMax = level * 100000;

  const br = new Bzip2BitReader(input, start + 4, format);
  let combined = 0;
  for (;;) {
    const hi = br.bits(24);
    const lo = br.bits(24);
    if (hi === EOS_MAGIC_HI && lo === EOS_MAGIC_LO) {
      const stored = br.bits32();
      if (br.overrun()) br.truncated();
      if (stored !== combined) br.fail("CORRUPT", `stream CRC 0x${stored.toString(16)} does not match the blocks' 0x${combined.toString(16)}`);
      return Math.ceil(br.bitPosition() / 8);
    }
    if (hi !== BLOCK_MAGIC_HI || lo !== BLOCK_MAGIC_LO) br.fail("CORRUPT", "bad block header magic");
    const blockOffset = Math.floor(br.bitPosition() / 8) - 6;
    const storedCrc = br.bits32();
    const randomised = br.bit() === 1;
    const origPtr = br.bits(24);

    // Bound the block by the level, and by what the output limit leaves:
    // undoing the final run-length stage turns n bytes into at least 4n/5.
    const remaining = out.max - out.len;
    const capacity = Math.min(levelMax, Math.floor((remaining * 5) / 4) + 5);
    const tt = ttOfSize(capacity);
    const nblock = blocks.decode(br, tt, capacity, levelMax);
    if (origPtr >= nblock) br.fail("CORRUPT", `origPtr ${origPtr} is outside the ${nblock}-byte block`);

    const from = out.len;
    const tStart = buildTVector(tt, nblock, blocks.counts, origPtr);
    walkBlock(tt, nblock, tStart, randomised, out, blockOffset);
    const crc = bzip2Crc(out.buf, from, out.len);
    if (crc !== storedCrc) {
      if (br.overrun()) br.truncated();
      fail("CORRUPT", format, `bzip2: block CRC 0x${crc.toString(16)} does not match the stored 0x${storedCrc.toString(16)}`, { offset: blockOffset });
    }
    combined = combineBzip2Crc(combined, crc);
  }
}
