/**
 * xxHash32 (Yann Collet's xxHash specification, "XXH32 algorithm
 * description"): the checksum the LZ4 frame format uses for its header,
 * block and content checksums. 32-bit arithmetic via Math.imul and `>>> 0`.
 */

const PRIME1 = 0x9e3779b1; // 2654435761
const PRIME2 = 0x85ebca77; // 2246822519
const PRIME3 = 0xc2b2ae3d; // 3266489917
const PRIME4 = 0x27d4eb2f; // 668265263
const PRIME5 = 0x165667b1; // 374761393

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function readU32(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

/** One stripe lane update (spec step 2: acc = rotl(acc + lane * PRIME2, 13) * PRIME1). */
function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

/** XXH32 of `data[start, end)` with `seed`; returns an unsigned 32-bit value. */
export function xxhash32(data: Uint8Array, seed = 0, start = 0, end: number = data.length): number {
  const len = end - start;
  let p = start;
  let acc: number;
  if (len >= 16) {
    // Step 1: four accumulators; step 2: 16-byte stripes; step 3: converge.
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    const limit = end - 16;
    while (p <= limit) {
      v1 = round(v1, readU32(data, p));
      v2 = round(v2, readU32(data, p + 4));
      v3 = round(v3, readU32(data, p + 8));
      v4 = round(v4, readU32(data, p + 12));
      p += 16;
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    // Special case for short inputs: a single accumulator seed + PRIME5.
    acc = (seed + PRIME5) | 0;
  }
  // Step 4: add the input length (modulo 2^32).
  acc = (acc + len) | 0;
  // Step 5: the remaining 4-byte lanes, then single bytes.
  while (p + 4 <= end) {
    acc = Math.imul(rotl((acc + Math.imul(readU32(data, p), PRIME3)) | 0, 17), PRIME4);
    p += 4;
  }
  while (p < end) {
    acc = Math.imul(rotl((acc + Math.imul(data[p], PRIME5)) | 0, 11), PRIME1);
    p++;
  }
  // Step 6: final avalanche.
  acc ^= acc >>> 15;
  acc = Math.imul(acc, PRIME2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, PRIME3);
  acc ^= acc >>> 16;
  return acc >>> 0;
}
