/**
 * Encoding helpers: UTF-8 with surrogatepass (what CPython's pickler uses
 * for str, so lone surrogates survive) and pickle's LONG1/LONG4 integer
 * bytes (pickle.encode_long: minimal little-endian two's complement).
 */
const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function utf8EncodeSurrogatePass(s: string): Uint8Array {
  if (!LONE_SURROGATE.test(s)) return encoder.encode(s);
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, n);
}

/** pickle.encode_long: 0 -> b'', else the fewest little-endian two's-complement bytes. */
export function encodeLong(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  const neg = v < 0n;
  // Bytes needed: bit length of v (or of ~v for negatives) + a sign bit.
  const mag = neg ? -v - 1n : v;
  const bits = mag === 0n ? 0 : mag.toString(2).length;
  const n = Math.floor(bits / 8) + 1;
  let u = neg ? (1n << BigInt(8 * n)) + v : v;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}
