import { fail, guardDecode } from "../errors.js";
import { xxh64Digest, xxh64Init, xxh64Stripes } from "./xxhash64.js";
import { readLiterals } from "./zstd-literals.js";
import { decodeSequences } from "./zstd-sequences.js";
import { BLOCK_SIZE_MAX, ZstdState } from "./zstd-state.js";

/** Section 3.1.1: Magic_Number of a Zstandard frame. */
const ZSTD_MAGIC = 0xfd2fb528;
/** Section 3.1.2: skippable frames use magic numbers 0x184D2A50..0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50;

function read32(src: Uint8Array, p: number): number {
  return (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
}

/**
 * Decompress Zstandard data (RFC 8878): every frame of `input`, in order,
 * concatenated; skippable frames are skipped. The output may not exceed
 * `maxOutputBytes` (LIMIT) nor a frame's declared content size (CORRUPT).
 * Dictionaries are not supported (a non-zero Dictionary_ID is UNSUPPORTED).
 * `format` names the container in errors (e.g. "hdf5", "blosc").
 */
export function zstdDecompress(input: Uint8Array, maxOutputBytes: number, format = "zstd"): Uint8Array {
  return guardDecode(format, () => decompress(input, maxOutputBytes, format));
}

function decompress(input: Uint8Array, maxOutputBytes: number, format: string): Uint8Array {
  if (!(maxOutputBytes >= 0) || !Number.isSafeInteger(maxOutputBytes)) {
    fail("USAGE", format, `maxOutputBytes must be a non-negative integer, got ${maxOutputBytes}`);
  }
  const st = new ZstdState(input, maxOutputBytes, 0, format);
  let pos = 0;
  while (pos < input.length) {
    if (pos + 4 > input.length) fail("TRUNCATED", format, "frame magic number is truncated", { offset: pos });
    const magic = read32(input, pos);
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) {
      if (pos + 8 > input.length) fail("TRUNCATED", format, "skippable frame header is truncated", { offset: pos });
      const size = read32(input, pos + 4);
      if (size > input.length - pos - 8) fail("TRUNCATED", format, "skippable frame is truncated", { offset: pos });
      pos += 8 + size;
      continue;
    }
    if (magic !== ZSTD_MAGIC) {
      fail("BAD_MAGIC", format, `not a zstd frame (magic 0x${magic.toString(16).padStart(8, "0")})`, { offset: pos });
    }
    pos = decodeFrame(st, pos + 4);
  }
  const out = st.out;
  const n = st.op;
  if (n === out.length) return out;
  // Do not pin a much larger buffer than the result.
  return out.length - n > n >>> 3 ? out.slice(0, n) : out.subarray(0, n);
}

const DID_BYTES = [0, 1, 2, 4];
const FCS_BYTES = [0, 2, 4, 8];

/** Section 3.1.1.1 frame header, then the blocks, then the optional checksum. Returns the position after the frame. */
function decodeFrame(st: ZstdState, pos: number): number {
  const src = st.input;
  const format = st.format;
  const frameOffset = pos - 4;
  if (pos >= src.length) fail("TRUNCATED", format, "frame header is truncated", { offset: pos });
  const desc = src[pos];
  const fcsFlag = desc >>> 6;
  const singleSegment = (desc >>> 5) & 1;
  const hasChecksum = (desc >>> 2) & 1;
  const didFlag = desc & 3;
  if (desc & 8) fail("CORRUPT", format, "reserved bit of the frame header descriptor is set", { offset: pos });
  const fcsBytes = fcsFlag === 0 ? singleSegment : FCS_BYTES[fcsFlag];
  const headerEnd = pos + 1 + (singleSegment ? 0 : 1) + DID_BYTES[didFlag] + fcsBytes;
  if (headerEnd > src.length) fail("TRUNCATED", format, "frame header is truncated", { offset: pos });
  pos++;
  let windowSize = 0;
  if (!singleSegment) {
    // Section 3.1.1.1.2: windowLog = 10 + exponent, plus mantissa eighths.
    const wd = src[pos++];
    const windowBase = 2 ** (10 + (wd >>> 3));
    windowSize = windowBase + (windowBase / 8) * (wd & 7);
  }
  if (didFlag) {
    let did = 0;
    for (let i = DID_BYTES[didFlag] - 1; i >= 0; i--) did = did * 256 + src[pos + i];
    pos += DID_BYTES[didFlag];
    if (did !== 0) fail("UNSUPPORTED", format, `frame needs dictionary ${did}; dictionaries are not supported`, { offset: pos });
  }
  let contentSize = -1;
  if (fcsBytes) {
    let v = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + src[pos + i];
    // Section 3.1.1.1.4: the 2-byte form is offset by 256.
    contentSize = fcsBytes === 2 ? v + 256 : v;
    pos += fcsBytes;
  }
  if (singleSegment) windowSize = contentSize;
  const blockMax = Math.min(windowSize, BLOCK_SIZE_MAX);

  st.resetFrame();
  let frameLimit: number;
  let limitIsMax: boolean;
  if (contentSize >= 0) {
    if (contentSize > st.maxOutput - st.op) {
      fail("LIMIT", format, `frame content size ${contentSize} exceeds the output limit of ${st.maxOutput} bytes`, {
        offset: frameOffset,
      });
    }
    // Every block costs at least 3 input bytes and yields at most blockMax bytes.
    if (contentSize > Math.floor((src.length - pos) / 3) * blockMax) {
      fail("TRUNCATED", format, `frame content size ${contentSize} cannot come from the remaining input`, {
        offset: frameOffset,
      });
    }
    st.reserve(contentSize);
    frameLimit = st.op + contentSize;
    limitIsMax = false;
  } else {
    frameLimit = st.maxOutput;
    limitIsMax = true;
  }

  // The checksum is computed block by block, right after each block is
  // decoded (its bytes are still in cache); only whole 32-byte stripes are
  // hashed until the frame ends.
  const hashAcc = st.hashAcc;
  let hashPos = st.frameStart;
  if (hasChecksum) xxh64Init(hashAcc);
  for (;;) {
    if (pos + 3 > src.length) fail("TRUNCATED", format, "block header is truncated", { offset: pos });
    const h = src[pos] | (src[pos + 1] << 8) | (src[pos + 2] << 16);
    const last = h & 1;
    const type = (h >>> 1) & 3;
    const size = h >>> 3;
    const blockOffset = pos;
    pos += 3;
    if (type === 3) fail("CORRUPT", format, "reserved block type", { offset: blockOffset });
    // Section 3.1.1.2.3: no block may exceed Block_Maximum_Size.
    if (size > blockMax) fail("CORRUPT", format, `block size ${size} exceeds the maximum ${blockMax}`, { offset: blockOffset });
    if (type === 2) {
      if (pos + size > src.length) fail("TRUNCATED", format, "compressed block is truncated", { offset: blockOffset });
      const end = pos + size;
      const room = frameLimit - st.op;
      st.blockLimit = st.op + Math.min(blockMax, room);
      st.blockLimitIsMaxOutput = limitIsMax && room < blockMax;
      st.reserve(st.blockLimit - st.op);
      const seqStart = readLiterals(st, pos, end);
      decodeSequences(st, seqStart, end);
      pos = end;
    } else {
      const inputBytes = type === 0 ? size : 1;
      if (pos + inputBytes > src.length) fail("TRUNCATED", format, "block is truncated", { offset: blockOffset });
      if (size > frameLimit - st.op) {
        if (limitIsMax) fail("LIMIT", format, `output exceeds the limit of ${st.maxOutput} bytes`, { offset: blockOffset });
        fail("CORRUPT", format, "blocks exceed the frame content size", { offset: blockOffset });
      }
      st.reserve(size);
      if (type === 0) st.out.set(src.subarray(pos, pos + size), st.op);
      else st.out.fill(src[pos], st.op, st.op + size);
      st.op += size;
      pos += inputBytes;
    }
    if (hasChecksum) hashPos = xxh64Stripes(hashAcc, st.out, hashPos, st.op);
    if (last) break;
  }
  if (contentSize >= 0 && st.op - st.frameStart !== contentSize) {
    fail("CORRUPT", format, `frame decoded to ${st.op - st.frameStart} bytes, header says ${contentSize}`, {
      offset: frameOffset,
    });
  }
  if (hasChecksum) {
    // Section 3.1.1: the low 32 bits of XXH64 (seed 0) of the frame's content, little-endian.
    if (pos + 4 > src.length) fail("TRUNCATED", format, "content checksum is truncated", { offset: pos });
    const expected = read32(src, pos);
    const actual = xxh64Digest(hashAcc, st.out, st.frameStart, hashPos, st.op)[1];
    if (expected !== actual) fail("CORRUPT", format, "content checksum mismatch", { offset: pos });
    pos += 4;
  }
  return pos;
}
