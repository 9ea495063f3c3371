/**
 * Whole-string matching for RE2 patterns (RegexFullMatch), in time linear
 * in the input: the pattern compiles to a Thompson NFA program and a
 * Pike-style simulation advances every live state one code point at a
 * time, so no pattern (however nested its repetitions) can make a match
 * take exponential time, as backtracking engines such as JavaScript's do.
 *
 * Syntax (parsed by re2-syntax.ts) is RE2's: literals, `.`,
 * bracket classes with ranges, negation, Perl classes and POSIX
 * [[:name:]] classes; \d \w \s (ASCII, as in RE2) and their negations;
 * \pN, \p{Name} and \P{..} (Unicode properties); escapes \n \t \r \f \v \a
 * \xHH \x{H..} \Q..\E; groups (..), (?:..), (?P<name>..), (?<name>..);
 * flags (?imsU) and (?flags:..); alternation; * + ? {n} {n,} {n,m} with
 * optional non-greedy `?` (greediness does not change whether a full match
 * exists); assertions ^ $ \A \z \b \B. Backreferences and lookaround are
 * not RE2 and are rejected, as RE2 rejects them.
 */
import { fail } from "@codec/core";
import { type CharSet, inRanges, matches, type Node, Parser, WORD } from "./re2-syntax.js";

const F = "infer";
/** Instructions a compiled program may have (repetition expands copies). */
const MAX_PROGRAM = 200_000;

/** Instruction kinds of the NFA program. */
const Op = { Set: 0, Split: 1, Jmp: 2, Assert: 3, Match: 4 } as const;
type Op = (typeof Op)[keyof typeof Op];

interface Program {
  op: Op[];
  x: number[];
  y: number[];
  sets: (CharSet | undefined)[];
  asserts: (string | undefined)[];
}

function emit(p: Program, op: Op, x = 0, y = 0, set?: CharSet, what?: string): number {
  if (p.op.length >= MAX_PROGRAM) fail("LIMIT", F, "RegexFullMatch pattern compiles to too large a program");
  p.op.push(op);
  p.x.push(x);
  p.y.push(y);
  p.sets.push(set);
  p.asserts.push(what);
  return p.op.length - 1;
}

function compile(node: Node, p: Program): void {
  switch (node.kind) {
    case "set":
      emit(p, Op.Set, 0, 0, node.set);
      return;
    case "assert":
      emit(p, Op.Assert, 0, 0, undefined, node.what);
      return;
    case "cat":
      for (const item of node.items) compile(item, p);
      return;
    case "alt": {
      // split L1, next; L1: a; jmp end; next: split L2, ... ; last alternative falls through.
      const jumps: number[] = [];
      for (let k = 0; k < node.items.length; k++) {
        if (k < node.items.length - 1) {
          const split = emit(p, Op.Split);
          p.x[split] = split + 1;
          compile(node.items[k], p);
          jumps.push(emit(p, Op.Jmp));
          p.y[split] = p.op.length;
        } else compile(node.items[k], p);
      }
      for (const j of jumps) p.x[j] = p.op.length;
      return;
    }
    case "rep": {
      for (let k = 0; k < node.min; k++) compile(node.item, p);
      if (node.max === Infinity) {
        // loop: split body, end; body; jmp loop.
        const split = emit(p, Op.Split);
        p.x[split] = split + 1;
        compile(node.item, p);
        emit(p, Op.Jmp, split);
        p.y[split] = p.op.length;
      } else {
        const splits: number[] = [];
        for (let k = node.min; k < node.max; k++) {
          const split = emit(p, Op.Split);
          p.x[split] = split + 1;
          splits.push(split);
          compile(node.item, p);
        }
        for (const s of splits) p.y[s] = p.op.length;
      }
      return;
    }
  }
}

const isWord = (c: number): boolean => c >= 0 && inRanges(WORD, c);

/** A compiled RE2 pattern: `test(s)` is true when the whole of `s` matches. */
export class Re2FullMatcher {
  private readonly prog: Program;

  constructor(pattern: string) {
    const tree = new Parser(pattern).parse();
    this.prog = { op: [], x: [], y: [], sets: [], asserts: [] };
    compile(tree, this.prog);
    emit(this.prog, Op.Match);
  }

  test(s: string): boolean {
    const p = this.prog;
    const n = p.op.length;
    const cps = Array.from(s, (ch) => ch.codePointAt(0) ?? 0);
    let clist = new Int32Array(n);
    let nlist = new Int32Array(n);
    let ccount: number;
    let ncount: number;
    const mark = new Int32Array(n).fill(-1);
    // Every instruction pushes at most two successors once (when first reached), so 2n + 1 entries suffice.
    const stack = new Int32Array(2 * n + 1);
    let gen = 0;
    // Adds `start` and everything reachable from it without consuming input at position `at` to `list`.
    const add = (list: Int32Array, count: number, start: number, at: number): number => {
      let sp = 0;
      stack[sp++] = start;
      while (sp > 0) {
        const pc = stack[--sp];
        if (mark[pc] === gen) continue;
        mark[pc] = gen;
        switch (p.op[pc]) {
          case Op.Jmp:
            stack[sp++] = p.x[pc];
            break;
          case Op.Split:
            stack[sp++] = p.y[pc];
            stack[sp++] = p.x[pc];
            break;
          case Op.Assert: {
            const prev = at > 0 ? cps[at - 1] : -1;
            const next = at < cps.length ? cps[at] : -1;
            const what = p.asserts[pc];
            const ok =
              what === "bot" ? at === 0
              : what === "eot" ? at === cps.length
              : what === "bol" ? at === 0 || prev === 10
              : what === "eol" ? at === cps.length || next === 10
              : what === "word" ? isWord(prev) !== isWord(next)
              : isWord(prev) === isWord(next);
            if (ok) stack[sp++] = pc + 1;
            break;
          }
          default:
            list[count++] = pc;
        }
      }
      return count;
    };
    ccount = add(clist, 0, 0, 0);
    for (let i = 0; i < cps.length && ccount > 0; i++) {
      gen++;
      ncount = 0;
      for (let k = 0; k < ccount; k++) {
        const pc = clist[k];
        const set = p.sets[pc];
        if (p.op[pc] === Op.Set && set !== undefined && matches(set, cps[i])) ncount = add(nlist, ncount, pc + 1, i + 1);
      }
      [clist, nlist] = [nlist, clist];
      ccount = ncount;
    }
    // Whatever survives consumed the whole string (a list that emptied early stays empty).
    for (let k = 0; k < ccount; k++) if (p.op[clist[k]] === Op.Match) return true;
    return false;
  }
}
