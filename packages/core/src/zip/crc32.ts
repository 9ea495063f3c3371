import { HOST_LITTLE_ENDIAN } from "../byteorder.js";
import { nodeBuiltin } from "../node-builtin.js";

/**
 * CRC-32 as used by zip (PKWARE APPNOTE.TXT 4.4.7): the reflected
 * polynomial 0xEDB88320, initial value 0xFFFFFFFF, final complement.
 *
 * Zip members hold tensors of hundreds of MB, so this uses "slicing-by-8"
 * (eight 256-entry tables; table k maps a byte to its CRC contribution
 * k bytes further along): eight input bytes per loop iteration instead of one.
 */

const TABLES = buildTables();

function buildTables(): Int32Array {
  // Int32Array keeps every entry a small-integer-compatible value for V8.
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

type NativeCrc32 = (data: Uint8Array, value?: number) => number;

/**
 * Node (>= 20.15) ships zlib's CRC-32, several times faster than any JS
 * loop. It is looked up through `process.getBuiltinModule`, which needs no
 * import (browsers and bundlers never see a `node:` specifier) and is
 * simply absent elsewhere, where the slicing-by-8 loop below is used.
 */
const nativeCrc32: NativeCrc32 | undefined = (() => {
  try {
    const fn = nodeBuiltin<{ crc32?: unknown }>("node:zlib")?.crc32;
    if (typeof fn !== "function") return undefined;
    const native = fn as NativeCrc32;
    // Trust it only if it agrees with the APPNOTE check value and chains seeds as we do.
    const check = new Uint8Array([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
    return native(check) === 0xcbf43926 && native(check.subarray(4), native(check.subarray(0, 4))) === 0xcbf43926 ? native : undefined;
  } catch {
    return undefined;
  }
})();

/** Below this size the call into zlib costs more than it saves. */
const NATIVE_MIN = 256;

/**
 * CRC-32 of `bytes`. Pass the previous result as `seed` to continue a
 * running checksum over consecutive chunks: `crc32(b, crc32(a))` equals
 * `crc32(concat(a, b))`.
 */
export function crc32(bytes: Uint8Array, seed = 0): number {
  if (nativeCrc32 !== undefined && bytes.length >= NATIVE_MIN) return nativeCrc32(bytes, seed >>> 0);
  return crc32Js(bytes, seed);
}

/** The portable implementation (what browsers run); exported for tests and benchmarks. */
export function crc32Js(bytes: Uint8Array, seed = 0): number {
  let c = ~seed;
  let i = 0;
  const n = bytes.length;
  // Bring the position to a 4-byte boundary, then read words through an
  // Int32Array view (little-endian hosts only; zip's CRC is bit-reflected,
  // so word bytes are consumed low byte first).
  if (HOST_LITTLE_ENDIAN && n >= 64) {
    while ((bytes.byteOffset + i) & 3) c = TABLES[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
    const words = (n - i) >>> 3;
    const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, words * 2);
    c = crcWords(w, c);
    i += words * 8;
  }
  c = crcBytes(bytes, i, n, c);
  return ~c >>> 0;
}

function crcWords(w: Int32Array, c: number): number {
  const t = TABLES;
  for (let j = 0; j < w.length; j += 2) {
    const lo = c ^ w[j];
    const hi = w[j + 1];
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + (hi & 0xff)] ^
      t[512 + ((hi >>> 8) & 0xff)] ^
      t[256 + ((hi >>> 16) & 0xff)] ^
      t[hi >>> 24];
  }
  return c;
}

function crcBytes(bytes: Uint8Array, i: number, n: number, c: number): number {
  const t = TABLES;
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}
