/**
 * UTF-8 decoding as CPython's unpickler does it for BINUNICODE*:
 * `str(bytes, "utf-8", "surrogatepass")`, so lone surrogates that
 * pickle.dumps wrote (ED A0 80 ...) come back, while any other malformed
 * sequence is an error (null).
 */
import { decodeLatin1Utf8, LARGE_TEXT } from "./latin1-text.js";

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | null {
  const n = end - start;
  if (n < 32) {
    // Short strings: an ASCII loop beats TextDecoder's per-call overhead.
    let s = "";
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return decodeSlow(buf, start, end);
      s += String.fromCharCode(c);
    }
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
