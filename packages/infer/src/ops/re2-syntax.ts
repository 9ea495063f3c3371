/**
 * RE2 pattern syntax (github.com/google/re2/wiki/Syntax) parsed into a
 * tree for re2-match.ts: code point sets (ranges plus Unicode property
 * tests, optionally case-folded), concatenation, alternation, counted
 * repetition and zero-width assertions. Errors are CodecErrors: CORRUPT
 * for what RE2 itself rejects, UNSUPPORTED for Unicode classes this
 * engine cannot name.
 */
import { fail } from "@codec/core";

const F = "infer";
const MAX_CP = 0x10ffff;
/** RE2's largest repetition count. */
const MAX_REPEAT = 1000;

/** A set of code points: sorted disjoint [lo, hi] pairs, plus Unicode property tests. */
export interface CharSet {
  ranges: number[];
  props: { re: RegExp; negate: boolean }[];
  negate: boolean;
  fold: boolean;
}

export type Node =
  | { kind: "set"; set: CharSet }
  | { kind: "cat"; items: Node[] }
  | { kind: "alt"; items: Node[] }
  | { kind: "rep"; item: Node; min: number; max: number }
  | { kind: "assert"; what: "bol" | "eol" | "bot" | "eot" | "word" | "nonword" };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

function bad(pattern: string, why: string): never {
  return fail("CORRUPT", F, `RegexFullMatch pattern '${pattern}': ${why}`);
}

/** Sorted, merged copy of range pairs. */
function normalize(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i], ranges[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1] + 1) out[n - 1] = Math.max(out[n - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(ranges: number[]): number[] {
  const r = normalize(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i] > next) out.push(next, r[i] - 1);
    next = r[i + 1] + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

const DIGIT = [0x30, 0x39];
export const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];
const POSIX: Record<string, number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0, 0x1f, 0x7f, 0x7f],
  digit: DIGIT,
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

function setOf(ranges: number[], fold = false): CharSet {
  return { ranges: normalize(ranges), props: [], negate: false, fold };
}

export function inRanges(r: number[], c: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (c >= r[i] && c <= r[i + 1]) return true;
  return false;
}

function matchesRaw(set: CharSet, c: number): boolean {
  if (inRanges(set.ranges, c)) return true;
  if (set.props.length === 0) return false;
  const s = String.fromCodePoint(c);
  for (const p of set.props) if (p.re.test(s) !== p.negate) return true;
  return false;
}

export function matches(set: CharSet, c: number): boolean {
  let hit = matchesRaw(set, c);
  if (!hit && set.fold) {
    const s = String.fromCodePoint(c);
    const lo = s.toLowerCase();
    const up = s.toUpperCase();
    if (lo.length === s.length && lo !== s) hit = matchesRaw(set, lo.codePointAt(0) ?? c);
    if (!hit && up.length === s.length && up !== s) hit = matchesRaw(set, up.codePointAt(0) ?? c);
  }
  return hit !== set.negate;
}

/** Recursive-descent parser over the pattern's code points. */
export class Parser {
  private pos = 0;
  private readonly cps: number[];

  constructor(private readonly pattern: string) {
    this.cps = Array.from(pattern, (ch) => ch.codePointAt(0) ?? 0);
  }

  parse(): Node {
    const node = this.alternation({ i: false, m: false, s: false }, 0);
    if (this.pos < this.cps.length) bad(this.pattern, "unmatched ')'");
    return node;
  }

  private peek(k = 0): number {
    return this.pos + k < this.cps.length ? this.cps[this.pos + k] : -1;
  }

  private alternation(flags: Flags, depth: number): Node {
    if (depth > 1000) bad(this.pattern, "groups nested too deeply");
    const items: Node[] = [this.concat(flags, depth)];
    while (this.peek() === 0x7c) {
      this.pos++;
      items.push(this.concat(flags, depth));
    }
    return items.length === 1 ? items[0] : { kind: "alt", items };
  }

  private concat(flags: Flags, depth: number): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === 0x7c || c === 0x29) break;
      const atom = this.atom(flags, depth);
      if (atom === null) continue;
      items.push(this.quantified(atom));
    }
    return { kind: "cat", items };
  }

  /** `*`, `+`, `?` or `{n,m}` after an atom (with an optional non-greedy `?`). */
  private quantified(atom: Node): Node {
    let node = atom;
    let quantifiers = 0;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === 0x2a) [min, max] = [0, Infinity];
      else if (c === 0x2b) [min, max] = [1, Infinity];
      else if (c === 0x3f) [min, max] = [0, 1];
      else if (c === 0x7b) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 24)));
        if (m === null) return node; // Not a repetition: '{' is a literal (RE2).
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
        if (min > MAX_REPEAT || (max !== Infinity && (max > MAX_REPEAT || max < min))) bad(this.pattern, `bad repetition {${m[1]}${m[2] ?? ""}}`);
        this.pos += m[0].length - 1;
      } else return node;
      this.pos++;
      if (this.peek() === 0x3f) this.pos++;
      if (++quantifiers > 1) bad(this.pattern, "bad repetition operator");
      if (node.kind === "assert") bad(this.pattern, "repetition of an assertion");
      node = { kind: "rep", item: node, min, max };
    }
  }

  private atom(flags: Flags, depth: number): Node | null {
    const c = this.cps[this.pos++];
    switch (c) {
      case 0x28:
        return this.group(flags, depth);
      case 0x5b:
        return { kind: "set", set: this.bracket(flags) };
      case 0x2e:
        return { kind: "set", set: setOf(flags.s ? [0, MAX_CP] : [0, 9, 11, MAX_CP]) };
      case 0x5e:
        return { kind: "assert", what: flags.m ? "bol" : "bot" };
      case 0x24:
        return { kind: "assert", what: flags.m ? "eol" : "eot" };
      case 0x2a:
      case 0x2b:
      case 0x3f:
        return bad(this.pattern, "missing argument to repetition operator");
      case 0x5c:
        return this.escape(flags, false);
      default:
        return { kind: "set", set: setOf([c, c], flags.i) };
    }
  }

  private group(flags: Flags, depth: number): Node | null {
    let inner = { ...flags };
    if (this.peek() === 0x3f) {
      this.pos++;
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 256));
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named !== null) this.pos += named[0].length;
      else {
        const m = /^([imsU]*)(-([imsU]*))?([:)])/.exec(rest);
        if (m === null) bad(this.pattern, "unsupported group syntax (lookaround and other non-RE2 groups are not allowed)");
        this.pos += m[0].length;
        const set = (on: string, v: boolean, f: Flags): void => {
          if (on.includes("i")) f.i = v;
          if (on.includes("m")) f.m = v;
          if (on.includes("s")) f.s = v;
        };
        if (m[4] === ")") {
          // (?flags) changes the flags for the rest of the enclosing group.
          set(m[1], true, flags);
          set(m[3] ?? "", false, flags);
          return null;
        }
        inner = { ...flags };
        set(m[1], true, inner);
        set(m[3] ?? "", false, inner);
      }
    }
    const node = this.alternation(inner, depth + 1);
    if (this.cps[this.pos++] !== 0x29) bad(this.pattern, "missing ')'");
    return node;
  }

  /** After a backslash; `inClass` allows only what a bracket class may hold. */
  private escape(flags: Flags, inClass: boolean): Node {
    const c = this.cps[this.pos++];
    if (c === undefined) return bad(this.pattern, "trailing backslash");
    const lit = (cp: number): Node => ({ kind: "set", set: setOf([cp, cp], flags.i) });
    const perl = (r: number[], negate: boolean): Node => ({ kind: "set", set: setOf(negate ? complement(r) : r) });
    switch (String.fromCodePoint(c)) {
      case "d":
        return perl(DIGIT, false);
      case "D":
        return perl(DIGIT, true);
      case "w":
        return perl(WORD, false);
      case "W":
        return perl(WORD, true);
      case "s":
        return perl(SPACE, false);
      case "S":
        return perl(SPACE, true);
      case "n":
        return lit(10);
      case "t":
        return lit(9);
      case "r":
        return lit(13);
      case "f":
        return lit(12);
      case "v":
        return lit(11);
      case "a":
        return lit(7);
      case "x": {
        const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 12));
        const m = /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(rest);
        if (m === null) return bad(this.pattern, "bad \\x escape");
        this.pos += m[0].length;
        const cp = Number.parseInt(m[1] ?? m[2], 16);
        if (cp > MAX_CP) bad(this.pattern, "\\x escape beyond U+10FFFF");
        return lit(cp);
      }
      case "p":
      case "P": {
        let name: string;
        if (this.peek() === 0x7b) {
          const end = this.cps.indexOf(0x7d, this.pos);
          if (end < 0) return bad(this.pattern, "missing '}' in \\p{...}");
          name = String.fromCodePoint(...this.cps.slice(this.pos + 1, end));
          this.pos = end + 1;
        } else {
          if (this.pos >= this.cps.length) bad(this.pattern, "bad \\p escape");
          name = String.fromCodePoint(this.cps[this.pos++]);
        }
        let negate = c === 0x50;
        if (name.startsWith("^")) {
          negate = !negate;
          name = name.slice(1);
        }
        // \p{Any} is every code point (\P{Any} none).
        if (name === "Any") return { kind: "set", set: setOf(negate ? [] : [0, MAX_CP]) };
        // RE2 names general categories (L, Nd) and scripts (Greek) alike; JavaScript spells scripts Script=Greek.
        let re: RegExp | undefined;
        for (const spelled of [name, `Script=${name}`]) {
          try {
            re = new RegExp(`^\\p{${spelled}}$`, "u");
            break;
          } catch {
            // Try the next spelling.
          }
        }
        if (re === undefined) return fail("UNSUPPORTED", F, `RegexFullMatch pattern '${this.pattern}': Unicode class \\p{${name}}`);
        return { kind: "set", set: { ranges: [], props: [{ re, negate }], negate: false, fold: flags.i } };
      }
      case "A":
      case "z":
      case "b":
      case "B": {
        if (inClass) return bad(this.pattern, "assertion inside a character class");
        const what = c === 0x41 ? "bot" : c === 0x7a ? "eot" : c === 0x62 ? "word" : "nonword";
        return { kind: "assert", what };
      }
      case "Q": {
        if (inClass) return bad(this.pattern, "\\Q inside a character class");
        const items: Node[] = [];
        while (this.pos < this.cps.length && !(this.cps[this.pos] === 0x5c && this.cps[this.pos + 1] === 0x45)) items.push(lit(this.cps[this.pos++]));
        if (this.pos < this.cps.length) this.pos += 2;
        return { kind: "cat", items };
      }
      default:
        if (c >= 0x31 && c <= 0x39) return bad(this.pattern, "backreferences are not RE2");
        if (c === 0x30) return lit(0);
        // Any other punctuation escapes itself; an escaped letter or digit that RE2 does not know is an error.
        if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return bad(this.pattern, `invalid escape \\${String.fromCodePoint(c)}`);
        return lit(c);
    }
  }

  private bracket(flags: Flags): CharSet {
    const set: CharSet = { ranges: [], props: [], negate: false, fold: flags.i };
    if (this.peek() === 0x5e) {
      this.pos++;
      set.negate = true;
    }
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === -1) return bad(this.pattern, "missing ']'");
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === 0x5b && this.peek(1) === 0x3a) {
        const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 16));
        const m = /^\[:(\^?)([a-z]+):\]/.exec(rest);
        if (m !== null) {
          const r = POSIX[m[2]];
          if (r === undefined) bad(this.pattern, `unknown POSIX class ${m[2]}`);
          set.ranges.push(...(m[1] === "^" ? complement(r) : r));
          this.pos += m[0].length;
          continue;
        }
      }
      const lo = this.classAtom(set, flags);
      if (lo === null) continue;
      if (this.peek() === 0x2d && this.peek(1) !== 0x5d && this.peek(1) !== -1) {
        this.pos++;
        const hi = this.classAtom(set, flags);
        if (hi === null || hi < lo) bad(this.pattern, "bad character class range");
        set.ranges.push(lo, hi);
      } else set.ranges.push(lo, lo);
    }
    set.ranges = normalize(set.ranges);
    return set;
  }

  /** One class member: a code point (returned), or a Perl/Unicode class merged into `set` (null). */
  private classAtom(set: CharSet, flags: Flags): number | null {
    const c = this.cps[this.pos++];
    if (c !== 0x5c) return c;
    const node = this.escape(flags, true);
    if (node.kind !== "set") return bad(this.pattern, "bad escape in character class");
    const s = node.set;
    if (s.props.length === 0 && s.ranges.length === 2 && s.ranges[0] === s.ranges[1] && !s.negate) {
      const single = s.ranges[0];
      // A single escaped character can start a range; a one-character Perl class cannot, but both land here the same way.
      return single;
    }
    set.ranges.push(...s.ranges);
    set.props.push(...s.props);
    return null;
  }
}
