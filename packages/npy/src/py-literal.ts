import { fail } from "@codec/core";

/**
 * A strict parser for the tiny subset of Python literals that a `.npy`
 * header uses (numpy/lib/format.py reads it with `ast.literal_eval`; we
 * never evaluate anything): dicts, tuples, lists, str, int, True, False,
 * None. Anything else (calls, names, floats, operators) is CORRUPT.
 */
export type PyValue =
  | { readonly kind: "dict"; readonly entries: ReadonlyArray<readonly [PyValue, PyValue]> }
  | { readonly kind: "tuple"; readonly items: readonly PyValue[] }
  | { readonly kind: "list"; readonly items: readonly PyValue[] }
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "none" };

export interface PyLiteralOptions {
  /** Accept Python 2 long suffixes (`3L`), as numpy does for format 1.0/2.0 headers. */
  allowLongSuffix?: boolean;
  /** Container nesting limit (LIMIT beyond): keeps hostile headers off the call stack. */
  maxDepth?: number;
  /** Offset of `text[0]` in the file, for error messages (approximate for non-ASCII text). */
  baseOffset?: number;
  format?: string;
}

const FORMAT = "npy";

class Parser {
  private pos = 0;
  private readonly text: string;
  private readonly opts: Required<PyLiteralOptions>;

  constructor(text: string, opts: PyLiteralOptions) {
    this.text = text;
    this.opts = {
      allowLongSuffix: opts.allowLongSuffix ?? false,
      maxDepth: opts.maxDepth ?? 32,
      baseOffset: opts.baseOffset ?? 0,
      format: opts.format ?? FORMAT,
    };
  }

  private error(message: string): never {
    return fail("CORRUPT", this.opts.format, `header: ${message}`, { offset: this.opts.baseOffset + this.pos });
  }

  /** Python's tokenizer skips spaces, tabs, form feeds and newlines between tokens (inside brackets). */
  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) this.pos++;
      else break;
    }
  }

  parseTop(): PyValue {
    const v = this.value(0);
    this.skipSpace();
    if (this.pos !== this.text.length) this.error(`unexpected '${this.text[this.pos]}' after the literal`);
    return v;
  }

  private value(depth: number): PyValue {
    this.skipSpace();
    if (this.pos >= this.text.length) this.error("unexpected end of header");
    const c = this.text[this.pos];
    if (c === "{" || c === "(" || c === "[") {
      if (depth >= this.opts.maxDepth) {
        fail("LIMIT", this.opts.format, `header: literal nests deeper than ${this.opts.maxDepth}`, {
          offset: this.opts.baseOffset + this.pos,
        });
      }
      if (c === "{") return this.dict(depth + 1);
      return this.sequence(c === "(" ? ")" : "]", depth + 1);
    }
    if (c === "'" || c === '"') return { kind: "str", value: this.string() };
    if ((c === "u" || c === "U") && (this.text[this.pos + 1] === "'" || this.text[this.pos + 1] === '"')) {
      // A u'...' literal: Python 2 numpy wrote unicode descrs and field names so, and
      // np.load's ast.literal_eval still reads them (the prefix changes nothing in Python 3).
      this.pos++;
      return { kind: "str", value: this.string() };
    }
    if (c === "-" || c === "+" || (c >= "0" && c <= "9")) return { kind: "int", value: this.int() };
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 64))?.[0];
    if (word === "True" || word === "False" || word === "None") {
      this.pos += word.length;
      if (word === "None") return { kind: "none" };
      return { kind: "bool", value: word === "True" };
    }
    return this.error(word ? `name '${word}' is not a literal` : `unexpected '${c}'`);
  }

  private dict(depth: number): PyValue {
    this.pos++; // '{'
    const entries: Array<readonly [PyValue, PyValue]> = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === "}") {
        this.pos++;
        return { kind: "dict", entries };
      }
      const key = this.value(depth);
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.error("expected ':' in dict");
      this.pos++;
      const val = this.value(depth);
      entries.push([key, val]);
      this.skipSpace();
      const sep = this.text[this.pos];
      if (sep === ",") this.pos++;
      else if (sep !== "}") this.error("expected ',' or '}' in dict");
    }
  }

  private sequence(close: ")" | "]", depth: number): PyValue {
    this.pos++; // '(' or '['
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        break;
      }
      items.push(this.value(depth));
      this.skipSpace();
      const sep = this.text[this.pos];
      if (sep === ",") {
        this.pos++;
        sawComma = true;
      } else if (sep !== close) this.error(`expected ',' or '${close}'`);
    }
    if (close === "]") return { kind: "list", items };
    // `(x)` is just x in Python; only `()` and `(x,)` are tuples.
    if (items.length === 1 && !sawComma) return items[0];
    return { kind: "tuple", items };
  }

  private int(): bigint {
    const m = /^[-+]?[0-9][0-9_]*/.exec(this.text.slice(this.pos, this.pos + 4096));
    if (!m) return this.error("expected an integer");
    const raw = m[0];
    // Python 3 rejects leading zeros ("007") except for zero itself.
    const digits = raw.replace(/^[-+]/, "").replace(/_/g, "");
    if (raw.includes("__") || raw.endsWith("_")) this.error(`invalid integer '${raw}'`);
    if (digits.length > 1 && digits[0] === "0" && /[1-9]/.test(digits)) this.error(`invalid integer '${raw}'`);
    if (digits.length > 1000) fail("LIMIT", this.opts.format, "header: integer literal too long", { offset: this.opts.baseOffset + this.pos });
    this.pos += raw.length;
    const next = this.text[this.pos];
    if (next === "L" && this.opts.allowLongSuffix) this.pos++;
    else if (next !== undefined && /[A-Za-z0-9_.]/.test(next)) this.error(`invalid number near '${raw}${next}'`);
    const v = BigInt(digits);
    return raw[0] === "-" ? -v : v;
  }

  private string(): string {
    const t = this.text;
    const quote = t[this.pos];
    // Triple-quoted strings never occur in numpy headers; keep the grammar small.
    if (t.startsWith(quote.repeat(3), this.pos)) this.error("triple-quoted strings are not supported");
    this.pos++;
    let out = "";
    for (;;) {
      if (this.pos >= t.length) this.error("unterminated string");
      const c = t[this.pos];
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === "\n" || c === "\r") this.error("newline in string");
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case undefined:
          return this.error("unterminated string");
        case "\\":
        case "'":
        case '"':
          out += e;
          break;
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "0":
          out += "\0";
          break;
        case "x":
          out += this.hexEscape(2);
          break;
        case "u":
          out += this.hexEscape(4);
          break;
        case "U":
          out += this.hexEscape(8);
          break;
        case "\n":
          break; // line continuation
        default:
          // Python keeps unknown escapes verbatim (with the backslash).
          out += `\\${e}`;
      }
    }
  }

  private hexEscape(n: number): string {
    const hex = this.text.slice(this.pos, this.pos + n);
    if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) this.error("bad escape in string");
    const cp = Number.parseInt(hex, 16);
    if (cp > 0x10ffff) this.error("escape outside Unicode range");
    this.pos += n;
    return String.fromCodePoint(cp);
  }
}

/** Parse one Python literal; the whole text must be consumed (trailing whitespace allowed). */
export function parsePyLiteral(text: string, options: PyLiteralOptions = {}): PyValue {
  return new Parser(text, options).parseTop();
}

/** Look up a string key in a parsed dict. */
export function dictGet(dict: PyValue & { kind: "dict" }, key: string): PyValue | undefined {
  for (const [k, v] of dict.entries) if (k.kind === "str" && k.value === key) return v;
  return undefined;
}
