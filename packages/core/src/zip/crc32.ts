import { HOST_LITTLE_ENDIAN } from "../byteorder.js";

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

/**
 * CRC-32 of `bytes`. Pass the previous result as `seed` to continue a
 * running checksum over consecutive chunks: `crc32(b, crc32(a))` equals
 * `crc32(concat(a, b))`.
 */
export function crc32(bytes: Uint8Array, seed = 0): number {
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
