/**
 * Protocol 0 text arguments (pickletools: decimalnl_short, decimalnl_long,
 * floatnl, stringnl, unicodestringnl). Each parser takes the line without
 * its trailing newline, as latin-1 code units, and returns the value or
 * null when Python's int()/float()/escape decoding would reject it.
 */
import { PyFloat, type PyValue } from "../model.js";

/** Python int/long from INT/LONG text: `int(text, 0)` as load_int/load_long use (base prefixes allowed). */
export function parseIntText(text: string): number | bigint | null {
  let s = text.trim().replace(/_/g, "");
  if (s.endsWith("L")) s = s.slice(0, -1); // Python 2 LONG repr ends with 'L'
  let neg = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s.length === 0 || s.length > 1_000_000) return null;
  let big: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(s) || /^0[oO][0-7]+$/.test(s) || /^0[bB][01]+$/.test(s)) {
    big = BigInt(s);
  } else if (/^[0-9]+$/.test(s)) {
    if (s.length < 16) {
      const n = Number(s);
      return neg ? (n === 0 ? 0 : -n) : n;
    }
    big = BigInt(s);
  } else {
    return null;
  }
  if (neg) big = -big;
  return normalizeInt(big);
}

/** number when the integer is safe, else bigint (model.ts int mapping). */
export function normalizeInt(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Python float from FLOAT text: float(text) accepts inf/nan spellings. */
export function parseFloatText(text: string): PyValue | null {
  const s = text.trim().replace(/_/g, "");
  let v: number;
  const lower = s.toLowerCase();
  const m = /^([+-]?)(inf|infinity|nan)$/.exec(lower);
  if (m !== null) {
    v = m[2] === "nan" ? Number.NaN : m[1] === "-" ? -Infinity : Infinity;
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    v = Number(s);
  } else {
    return null;
  }
  return floatValue(v);
}

/** A Python float as a PyValue: integral values (incl. -0.0) stay distinct from ints. */
export function floatValue(v: number): PyValue {
  return Number.isInteger(v) ? new PyFloat(v) : v;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * codecs.escape_decode of a STRING body (Python string-literal escapes:
 * \\ \' \" \a \b \f \n \r \t \v \ooo \xhh, backslash-newline; an unknown
 * escape keeps its backslash). Returns the raw bytes, or null on a bad \x.
 */
export function escapeDecode(body: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    if (i + 1 >= body.length) return null; // "Trailing \ in string"
    const e = body[++i];
    switch (e) {
      case 0x0a:
        break; // line continuation
      case 0x5c:
        out[n++] = 0x5c;
        break;
      case 0x27:
        out[n++] = 0x27;
        break;
      case 0x22:
        out[n++] = 0x22;
        break;
      case 0x61:
        out[n++] = 7;
        break;
      case 0x62:
        out[n++] = 8;
        break;
      case 0x66:
        out[n++] = 12;
        break;
      case 0x6e:
        out[n++] = 10;
        break;
      case 0x72:
        out[n++] = 13;
        break;
      case 0x74:
        out[n++] = 9;
        break;
      case 0x76:
        out[n++] = 11;
        break;
      case 0x78: {
        const h = String.fromCharCode(body[i + 1] ?? 0, body[i + 2] ?? 0);
        if (i + 2 >= body.length || !HEX.test(h)) return null;
        out[n++] = Number.parseInt(h, 16);
        i += 2;
        break;
      }
      default:
        if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && i + 1 < body.length && body[i + 1] >= 0x30 && body[i + 1] <= 0x37; k++) v = v * 8 + (body[++i] - 0x30);
          out[n++] = v & 0xff;
        } else {
          out[n++] = 0x5c;
          out[n++] = e;
        }
    }
  }
  return out.subarray(0, n);
}

/**
 * raw-unicode-escape decoding (UNICODE opcode): bytes are latin-1 code
 * points except \uXXXX and \UXXXXXXXX. Null when an escape is malformed.
 */
export function rawUnicodeEscapeDecode(body: Uint8Array): string | null {
  let out = "";
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== 0x5c) continue;
    // An odd run of backslashes before u/U starts an escape; \\u is literal.
    let j = i;
    while (j < body.length && body[j] === 0x5c) j++;
    const run = j - i;
    if (j < body.length && (body[j] === 0x75 || body[j] === 0x55) && run % 2 === 1) {
      const digits = body[j] === 0x75 ? 4 : 8;
      out += latin1(body, start, j - 1);
      const h = latin1(body, j + 1, Math.min(body.length, j + 1 + digits));
      if (h.length !== digits || !HEX.test(h)) return null;
      const cp = Number.parseInt(h, 16);
      if (cp > 0x10ffff) return null;
      out += String.fromCodePoint(cp);
      i = j + digits;
      start = i + 1;
    } else {
      i = j - 1;
    }
  }
  return out + latin1(body, start, body.length);
}

export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i += 8192) s += String.fromCharCode.apply(null, Array.from(b.subarray(i, Math.min(end, i + 8192))));
  return s;
}
