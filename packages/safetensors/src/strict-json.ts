import { stFail } from "./errors.js";

/**
 * A strict JSON reader for safetensors headers, modelled on what the
 * reference reader (Rust serde_json, RFC 8259) accepts, with two things
 * `JSON.parse` cannot give us:
 *  - integers keep their exact value (a bigint beyond 2^53), so shape and
 *    offset checks can tell "overflows u64" (ValidationOverflow) from
 *    "rounded by float parsing";
 *  - objects keep every key in order, duplicates included, so the header
 *    reader can reject duplicate tensor names instead of silently keeping
 *    the last one.
 * serde_json's rules that matter here: whitespace is only space, \t, \n,
 * \r; strings reject raw control characters and lone surrogate escapes;
 * nesting deeper than 128 is refused (its default recursion limit);
 * anything but whitespace after the value is an error.
 */

/** A number written with a fraction or exponent (never valid as u64). */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** An object with its keys in file order; duplicates are kept. */
export class JsonObject {
  readonly keys: string[] = [];
  readonly values: JsonNode[] = [];
}

export type JsonNode = null | boolean | string | number | bigint | JsonFloat | JsonNode[] | JsonObject;

const MAX_DEPTH = 128;

/** Parse `text`; `base` is the byte offset of text[0] in the file, for messages. */
export function parseStrictJson(text: string, base = 0): JsonNode {
  const p = new Parser(text, base);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.error("trailing characters after the JSON value");
  return v;
}

/** True for the four JSON whitespace characters. */
export function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

class Parser {
  pos = 0;
  constructor(
    readonly s: string,
    readonly base: number,
  ) {}

  error(message: string): never {
    return stFail("InvalidHeaderDeserialization", `header JSON: ${message}`, this.base + this.pos);
  }

  ws(): void {
    const s = this.s;
    let i = this.pos;
    while (i < s.length && isJsonWhitespace(s.charCodeAt(i))) i++;
    this.pos = i;
  }

  value(depth: number): JsonNode {
    const s = this.s;
    if (this.pos >= s.length) this.error("unexpected end of input");
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal("true", true);
      case 0x66: // f
        return this.literal("false", false);
      case 0x6e: // n
        return this.literal("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.error(`unexpected character ${JSON.stringify(s[this.pos])}`);
    }
  }

  literal<T extends JsonNode>(word: string, v: T): T {
    if (this.s.startsWith(word, this.pos)) {
      this.pos += word.length;
      return v;
    }
    return this.error("invalid literal");
  }

  object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.error("nesting too deep");
    const s = this.s;
    const out = new JsonObject();
    this.pos++;
    this.ws();
    if (s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (s.charCodeAt(this.pos) !== 0x22) this.error("expected a string key");
      out.keys.push(this.string());
      this.ws();
      if (s.charCodeAt(this.pos) !== 0x3a) this.error("expected ':'");
      this.pos++;
      this.ws();
      out.values.push(this.value(depth));
      this.ws();
      const c = s.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.ws();
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return out;
      }
      this.error("expected ',' or '}'");
    }
  }

  array(depth: number): JsonNode[] {
    if (depth > MAX_DEPTH) this.error("nesting too deep");
    const s = this.s;
    const out: JsonNode[] = [];
    this.pos++;
    this.ws();
    if (s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      const c = s.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.ws();
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return out;
      }
      this.error("expected ',' or ']'");
    }
  }

  string(): string {
    const s = this.s;
    const start = ++this.pos;
    // Fast path: no escapes. Control characters are invalid inside strings.
    let i = start;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20) {
        this.pos = i;
        this.error("control character in string");
      }
    }
    let out = s.slice(start, i);
    for (;;) {
      if (i >= s.length) {
        this.pos = i;
        this.error("unterminated string");
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) {
        this.pos = i;
        this.error("control character in string");
      }
      if (c !== 0x5c) {
        out += s[i++];
        continue;
      }
      const e = s.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += "\\";
          break;
        case 0x2f:
          out += "/";
          break;
        case 0x62:
          out += "\b";
          break;
        case 0x66:
          out += "\f";
          break;
        case 0x6e:
          out += "\n";
          break;
        case 0x72:
          out += "\r";
          break;
        case 0x74:
          out += "\t";
          break;
        case 0x75: {
          const u = this.hex4(i);
          i += 4;
          if (u >= 0xd800 && u <= 0xdbff) {
            // A leading surrogate must be followed by an escaped trailing one.
            if (s.charCodeAt(i) !== 0x5c || s.charCodeAt(i + 1) !== 0x75) {
              this.pos = i;
              this.error("lone leading surrogate in \\u escape");
            }
            const lo = this.hex4(i + 2);
            if (lo < 0xdc00 || lo > 0xdfff) {
              this.pos = i;
              this.error("invalid trailing surrogate in \\u escape");
            }
            i += 6;
            out += String.fromCharCode(u, lo);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            this.pos = i;
            this.error("lone trailing surrogate in \\u escape");
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          this.pos = i - 1;
          this.error("invalid escape");
      }
    }
  }

  hex4(at: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.s.charCodeAt(at + k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else {
        this.pos = at + k;
        return this.error("invalid \\u escape");
      }
      v = v * 16 + d;
    }
    return v;
  }

  number(): number | bigint | JsonFloat {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    let c = s.charCodeAt(i);
    if (c === 0x30) i++;
    else if (c >= 0x31 && c <= 0x39) {
      while (i < s.length && (c = s.charCodeAt(i)) >= 0x30 && c <= 0x39) i++;
    } else {
      this.pos = i;
      this.error("invalid number");
    }
    const intEnd = i;
    let isFloat = false;
    if (s.charCodeAt(i) === 0x2e) {
      isFloat = true;
      i++;
      const d0 = i;
      while (i < s.length && (c = s.charCodeAt(i)) >= 0x30 && c <= 0x39) i++;
      if (i === d0) {
        this.pos = i;
        this.error("invalid number");
      }
    }
    c = s.charCodeAt(i);
    if (c === 0x65 || c === 0x45) {
      isFloat = true;
      i++;
      c = s.charCodeAt(i);
      if (c === 0x2b || c === 0x2d) i++;
      const d0 = i;
      while (i < s.length && (c = s.charCodeAt(i)) >= 0x30 && c <= 0x39) i++;
      if (i === d0) {
        this.pos = i;
        this.error("invalid number");
      }
    }
    this.pos = i;
    const text = s.slice(start, i);
    if (isFloat) return new JsonFloat(Number(text));
    // serde_json reads "-0" as the float -0.0, which no u64 field accepts.
    if (text === "-0") return new JsonFloat(-0);
    if (intEnd - intStart <= 15) return Number(text);
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
}
