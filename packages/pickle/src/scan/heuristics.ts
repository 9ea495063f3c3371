/**
 * Behavioural checks on values the VM sees: string arguments that look like
 * code or shell commands, byte strings that look like pickles (nested
 * loads), and exponential shared-reference expansion ("billion laughs",
 * fickling's ExpansionAttackAnalysis vectors).
 */
import { OPCODES } from "../opcodes.js";
import { isNode, type SymNode, type SymValue } from "./values.js";

const CODE_PATTERNS: readonly RegExp[] = [
  /__import__\s*\(/,
  /\bimport\s+[A-Za-z_][\w.]*/,
  /\b(exec|eval|compile|execfile)\s*\(/,
  /\bos\s*\.\s*(system|popen|exec\w*|spawn\w*|remove|unlink|rmdir|kill)\b/,
  /\bsubprocess\b/,
  /\$\(/,
  /\b(system|popen)\s*\(/,
  /(^|[;&|]\s*)(rm|curl|wget|nc|ncat|bash|sh|chmod|python\d?)\s+-?\S/,
  /^\s*(\/bin\/)?(ba|z|da)?sh\s+-c\b/,
  /\blambda\b[^:]*:/,
  /\bopen\s*\([^)]*\)\s*\.\s*(read|write)/,
];

/** True when a string argument reads like Python source or a shell command line. */
export function looksLikeCode(s: string): boolean {
  if (s.length < 3) return false;
  const head = s.length > 4096 ? s.slice(0, 4096) : s;
  for (const re of CODE_PATTERNS) if (re.test(head)) return true;
  return false;
}

/** Strings reachable from call arguments (bounded walk). */
export function collectStrings(v: SymValue, out: string[], budget = 256, depth = 0): void {
  if (!isNode(v) || out.length >= budget || depth > 6) return;
  switch (v.t) {
    case "str":
      out.push(v.v);
      return;
    case "bytes":
      return;
    case "list":
    case "tuple":
    case "set":
    case "frozenset":
      for (const it of v.items) collectStrings(it, out, budget, depth + 1);
      return;
    case "dict":
      for (let i = 0; i < v.keys.length; i++) {
        collectStrings(v.keys[i], out, budget, depth + 1);
        collectStrings(v.vals[i], out, budget, depth + 1);
      }
      return;
    case "object":
      collectStrings(v.args, out, budget, depth + 1);
      return;
    default:
      return;
  }
}

/** Byte strings reachable from call arguments, including ones `_codecs.encode` produces. */
export function collectBytes(v: SymValue, out: Uint8Array[], budget = 32, depth = 0): void {
  if (!isNode(v) || out.length >= budget || depth > 6) return;
  switch (v.t) {
    case "bytes":
      out.push(v.v);
      return;
    case "str": {
      // pickle.loads(str) fails in Python 3, but Python 2's cPickle.loads takes str: keep latin-1 payloads.
      if (v.v.length >= 2 && v.v.length < 1 << 24) {
        let ok = true;
        for (let i = 0; i < v.v.length && ok; i++) ok = v.v.charCodeAt(i) < 256;
        if (ok) out.push(Uint8Array.from(v.v, (c) => c.charCodeAt(0)));
      }
      return;
    }
    case "list":
    case "tuple":
      for (const it of v.items) collectBytes(it, out, budget, depth + 1);
      return;
    case "object":
      if (v.producesBytes !== undefined) out.push(v.producesBytes);
      else collectBytes(v.args, out, budget, depth + 1);
      return;
    default:
      return;
  }
}

/** Cheap test for "this byte string is probably a pickle": a valid first opcode and a STOP at the end. */
export function looksLikePickle(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  if (b[0] === 0x80) return b[1] <= 5;
  const info = OPCODES[b[0]];
  if (info === undefined) return false;
  let end = b.length - 1;
  while (end > 0 && (b[end] === 0x0a || b[end] === 0x0d || b[end] === 0x20)) end--;
  return b[end] === 0x2e;
}

function childCount(n: SymNode): number {
  switch (n.t) {
    case "list":
    case "tuple":
    case "set":
    case "frozenset":
      return n.items.length;
    case "dict":
      return 2 * n.keys.length;
    case "object":
      return 3 + (n.items?.length ?? 0);
    default:
      return 0;
  }
}

function childAt(n: SymNode, i: number): SymValue {
  switch (n.t) {
    case "list":
    case "tuple":
    case "set":
    case "frozenset":
      return n.items[i];
    case "dict":
      return i < n.keys.length ? n.keys[i] : n.vals[i - n.keys.length];
    case "object":
      return i === 0 ? n.callable : i === 1 ? n.args : i === 2 ? (n.state ?? null) : (n.items as SymValue[])[i - 3];
    default:
      return null;
  }
}

/** Per-walk scratch kept on the nodes themselves: no Map lookups and no allocation per node. */
interface Scratch {
  /** Repetition depth of the finished node. */
  _d?: number;
  /** Expanded size of the finished node. */
  _s?: number;
  /** Walk stamp: +walk on the DFS path, -walk when finished. */
  _m?: number;
  /** Occurrences among the current parent's children, valid while _k is the parent's stamp. */
  _c?: number;
  _k?: number;
}

let stampCounter = 0;

export interface ExpansionResult {
  /** Levels of nested containers that each hold repeated references to the next. */
  depth: number;
  /** Size of the value with every shared reference expanded (capped). */
  expanded: number;
}

const CAP = 1e15;

/**
 * Repetition depth and expanded size of `root`, with shared references
 * counted every time they appear (what a naive walker, a JSON dump or a
 * deep copy would materialise). Iterative, bounded by `maxEdges`.
 */
export function measureExpansion(root: SymValue, maxEdges = 4_000_000): ExpansionResult {
  if (!isNode(root)) return { depth: 0, expanded: 1 };
  const walk = ++stampCounter;
  // _m holds `walk` while a node is on the DFS path and -walk once finished (depth/size in _d/_s).
  const path: SymNode[] = [root];
  const next: number[] = [0];
  (root as Scratch)._m = walk;
  let edges = 0;
  while (path.length > 0) {
    const top = path.length - 1;
    const n = path[top];
    const count = childCount(n);
    if (next[top] < count && edges < maxEdges) {
      const c = childAt(n, next[top]++);
      edges++;
      if (isNode(c)) {
        const cs = c as Scratch;
        if (cs._m !== walk && cs._m !== -walk) {
          cs._m = walk;
          path.push(c);
          next.push(0);
        }
      }
      continue;
    }
    path.pop();
    next.pop();
    // Count repeated children with a fresh stamp; a child on the current path (a cycle) counts as a leaf.
    const stamp = ++stampCounter;
    let total = 1;
    for (let i = 0; i < count; i++) {
      const c = childAt(n, i);
      if (!isNode(c)) {
        total += 1;
        continue;
      }
      const cs = c as Scratch;
      if (cs._k !== stamp) {
        cs._k = stamp;
        cs._c = 1;
      } else cs._c = (cs._c ?? 0) + 1;
    }
    let d = 0;
    for (let i = 0; i < count; i++) {
      const c = childAt(n, i);
      if (!isNode(c)) continue;
      const cs = c as Scratch;
      if (cs._k !== stamp) continue;
      cs._k = -stamp;
      const done = cs._m === -walk;
      const k = cs._c ?? 1;
      d = Math.max(d, (k >= 2 ? 1 : 0) + (done ? (cs._d ?? 0) : 0));
      total = Math.min(CAP, total + k * (done ? (cs._s ?? 1) : 1));
    }
    const ns = n as Scratch;
    ns._d = d;
    ns._s = total;
    ns._m = -walk;
  }
  const rs = root as Scratch;
  return { depth: rs._d ?? 0, expanded: rs._s ?? 1 };
}
