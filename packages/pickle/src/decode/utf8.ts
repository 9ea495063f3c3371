/**
 * UTF-8 decoding as CPython's unpickler does it for BINUNICODE*:
 * `str(bytes, "utf-8", "surrogatepass")`, so lone surrogates that
 * pickle.dumps wrote (ED A0 80 ...) come back, while any other malformed
 * sequence is an error (null).
 */
import { decodeLatin1Utf8, LARGE_TEXT } from "./latin1-text.js";

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Short ASCII strings recur (dict keys that pickle did not memoize, small
 * numbers as text, enum-like values): a direct-mapped cache keyed by a hash
 * of the bytes returns the same JS string without allocating. The full
 * hash of each cached string sits in a small typed array, so a miss (every
 * unique string, such as "user123") costs one compare there instead of a
 * load of a cached string from anywhere in the heap; the cache holds at
 * most CACHE_SIZE short strings.
 */
const SHORT = 32;
const CACHE_SIZE = 4096;
const cache: string[] = new Array<string>(CACHE_SIZE).fill("");
/** The hash of cache[slot]; 0 is the hash of the empty string (h starts at n = 0), which every slot starts with. */
const cacheHash = new Int32Array(CACHE_SIZE);
/** One reusable argument array per short length, so no array length is changed per string. */
const CODES: number[][] = Array.from({ length: SHORT }, (_, n) => Array.from({ length: n }, () => 0));

export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | null {
  const n = end - start;
  if (n < SHORT) {
    let h = n;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return decodeSlow(buf, start, end);
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = (h ^ (h >>> 13)) & (CACHE_SIZE - 1);
    if (cacheHash[slot] === h) {
      const hit = cache[slot];
      if (hit.length === n) {
        let i = 0;
        while (i < n && hit.charCodeAt(i) === buf[start + i]) i++;
        if (i === n) return hit;
      }
    }
    const s = asciiString(buf, start, n);
    cache[slot] = s;
    cacheHash[slot] = h;
    return s;
  }
  if (n >= LARGE_TEXT) {
    // Large text is mostly latin-1 array bytes (Python 2 style numpy pickles): a byte loop
    // beats the fatal TextDecoder there and keeps the bytes for _codecs.encode.
    const s = decodeLatin1Utf8(buf, start, end);
    if (s !== null) return s;
  }
  try {
    return fatal.decode(buf.subarray(start, end));
  } catch {
    return decodeSlow(buf, start, end);
  }
}

/** A short ASCII string: one String.fromCharCode call (no intermediate strings). */
function asciiString(b: Uint8Array, a: number, n: number): string {
  switch (n) {
    case 0:
      return "";
    case 1:
      return String.fromCharCode(b[a]);
    case 2:
      return String.fromCharCode(b[a], b[a + 1]);
    case 3:
      return String.fromCharCode(b[a], b[a + 1], b[a + 2]);
    case 4:
      return String.fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3]);
    case 5:
      return String.fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4]);
    case 6:
      return String.fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5]);
    case 7:
      return String.fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6]);
    case 8:
      return String.fromCharCode(b[a], b[a + 1], b[a + 2], b[a + 3], b[a + 4], b[a + 5], b[a + 6], b[a + 7]);
    default: {
      const codes = CODES[n];
      for (let i = 0; i < n; i++) codes[i] = b[a + i];
      return String.fromCharCode.apply(null, codes);
    }
  }
}

/** Full decoder with surrogatepass; null on malformed input. */
function decodeSlow(b: Uint8Array, start: number, end: number): string | null {
  const units: number[] = [];
  let out = "";
  for (let i = start; i < end; ) {
    const c = b[i];
    let cp: number;
    if (c < 0x80) {
      cp = c;
      i += 1;
    } else if (c >= 0xc2 && c < 0xe0) {
      if (i + 1 >= end || (b[i + 1] & 0xc0) !== 0x80) return null;
      cp = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
      i += 2;
    } else if (c >= 0xe0 && c < 0xf0) {
      if (i + 2 >= end || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) return null;
      cp = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      if (cp < 0x800) return null; // overlong; surrogates (D800-DFFF) pass
      i += 3;
    } else if (c >= 0xf0 && c < 0xf5) {
      if (i + 3 >= end || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80 || (b[i + 3] & 0xc0) !== 0x80) return null;
      cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return null;
      i += 4;
    } else {
      return null;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= 8192) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode.apply(null, units);
}
