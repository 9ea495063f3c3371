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

function children(n: SymNode): SymValue[] {
  switch (n.t) {
    case "list":
    case "tuple":
    case "set":
    case "frozenset":
      return n.items;
    case "dict":
      return [...n.keys, ...n.vals];
    case "object": {
      const c: SymValue[] = [n.callable, n.args];
      if (n.state !== undefined) c.push(n.state);
      if (n.items) c.push(...n.items);
      return c;
    }
    default:
      return [];
  }
}

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
export function measureExpansion(root: SymValue, maxEdges = 2_000_000): ExpansionResult {
  if (!isNode(root)) return { depth: 0, expanded: 1 };
  const depth = new Map<SymNode, number>();
  const size = new Map<SymNode, number>();
  const onPath = new Set<SymNode>();
  let edges = 0;
  const stack: Array<{ n: SymNode; kids: SymValue[]; i: number }> = [{ n: root, kids: children(root), i: 0 }];
  onPath.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.i < top.kids.length && edges < maxEdges) {
      const c = top.kids[top.i++];
      edges++;
      if (isNode(c) && !depth.has(c) && !onPath.has(c)) {
        onPath.add(c);
        stack.push({ n: c, kids: children(c), i: 0 });
      }
      continue;
    }
    stack.pop();
    onPath.delete(top.n);
    const counts = new Map<SymNode, number>();
    let total = 1;
    for (const c of top.kids) {
      if (isNode(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
      else total += 1;
    }
    let d = 0;
    for (const [c, k] of counts) {
      d = Math.max(d, (k >= 2 ? 1 : 0) + (depth.get(c) ?? 0));
      total = Math.min(CAP, total + k * (size.get(c) ?? 1));
    }
    depth.set(top.n, d);
    size.set(top.n, total);
  }
  return { depth: depth.get(root) ?? 0, expanded: size.get(root) ?? 1 };
}
