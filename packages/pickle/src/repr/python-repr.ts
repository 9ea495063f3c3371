/**
 * Python's repr() of atomic values, as CPython 3 prints them: str (quote
 * choice, escapes, str.isprintable), bytes, int, float (repr's shortest
 * round-trip digits with Python's switch to exponent notation below 1e-4
 * and from 1e16) and complex.
 */

const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

const hex = (c: number, w: number): string => c.toString(16).padStart(w, "0");

export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c >= 0xa0 && ch !== "\u00a0" && !NON_PRINTABLE.test(ch)) out += ch;
    else if (c <= 0xff) out += `\\x${hex(c, 2)}`;
    else if (c <= 0xffff) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return out + quote;
}

export function pyBytesRepr(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x27) hasSingle = true;
    else if (b[i] === 0x22) hasDouble = true;
  }
  const q = hasSingle && !hasDouble ? 0x22 : 0x27;
  const parts: string[] = [`b${String.fromCharCode(q)}`];
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === q || c === 0x5c) parts.push(`\\${String.fromCharCode(c)}`);
    else if (c === 0x09) parts.push("\\t");
    else if (c === 0x0a) parts.push("\\n");
    else if (c === 0x0d) parts.push("\\r");
    else if (c >= 0x20 && c < 0x7f) parts.push(String.fromCharCode(c));
    else parts.push(`\\x${hex(c, 2)}`);
  }
  parts.push(String.fromCharCode(q));
  return parts.join("");
}

export function pyFloatRepr(x: number): string {
  return shortestFloatRepr(x, (y) => y);
}

/**
 * Python's float repr style (shortest digits that read back, scientific
 * below 1e-4 or from 1e16) at the precision `round` gives: identity for
 * float64, Math.fround for float32, a float16 round trip for float16.
 * numpy's str() of its float scalars is this (Dragon4, unique mode).
 */
export function shortestFloatRepr(x: number, round: (y: number) => number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  let text = x.toExponential();
  for (let p = 0; p < 17; p++) {
    const t = x.toExponential(p);
    if (round(Number(t)) === x) {
      text = t;
      break;
    }
  }
  const [mant, e] = text.split("e");
  const exp = Number(e);
  const sign = mant.startsWith("-") ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${int}.${frac === "" ? "0" : frac}`;
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

/** repr(complex): `(1-2j)`, `3j` when the real part is +0.0. */
export function pyComplexRepr(re: number, im: number): string {
  const part = (v: number): string => {
    const r = pyFloatRepr(v);
    return r.endsWith(".0") ? r.slice(0, -2) : r;
  };
  const imText = `${part(im)}j`;
  if (re === 0 && !Object.is(re, -0)) return imText;
  const sign = im < 0 || Object.is(im, -0) || (Number.isNaN(im) && false) ? "" : "+";
  return `(${part(re)}${sign}${imText})`;
}
