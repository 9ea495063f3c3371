/**
 * String operators (onnx Operators.md): StringNormalizer (opset 10),
 * StringConcat, StringSplit and RegexFullMatch (opset 20). String tensors
 * are working tensors whose data is a string[] (tensor.ts).
 */
import { fail } from "@codec/core";
import { broadcastIndex, broadcastShapes } from "../broadcast.js";
import { checkedNumel, type RTensor, tensor } from "../tensor.js";
import { registerNnOps } from "./nn/util.js";
import { Re2FullMatcher } from "./re2-match.js";
import { input, type OpContext } from "./registry.js";

const F = "infer";

function strings(t: RTensor, ctx: OpContext, what = "input"): string[] {
  if (!Array.isArray(t.data)) return fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${what} is ${t.dtype}, not string`);
  return t.data;
}

/**
 * StringNormalizer: drops the stopwords (compared exactly, or after
 * lowercasing when is_case_sensitive is 0, the default), then changes case
 * (case_change_action NONE | LOWER | UPPER). The input is [C] or [1, C];
 * when every string is removed the output keeps one empty string, [1] or
 * [1, 1], as the spec's shape rule says. `locale` is not consulted: case
 * mapping is JavaScript's locale-independent Unicode mapping.
 */
function stringNormalizer(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const data = strings(x, ctx);
  const twoDim = x.shape.length === 2;
  if (!(x.shape.length === 1 || (twoDim && x.shape[0] === 1))) {
    fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': input shape [${x.shape.join(", ")}] is neither [C] nor [1, C]`);
  }
  const action = ctx.string("case_change_action", "NONE");
  if (action !== "NONE" && action !== "LOWER" && action !== "UPPER") fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': case_change_action '${action}'`);
  const sensitive = ctx.int("is_case_sensitive", 0) !== 0;
  const stop = new Set(ctx.strings("stopwords", []).map((w) => (sensitive ? w : w.toLowerCase())));
  const out: string[] = [];
  for (const s of data) {
    if (stop.has(sensitive ? s : s.toLowerCase())) continue;
    out.push(action === "LOWER" ? s.toLowerCase() : action === "UPPER" ? s.toUpperCase() : s);
  }
  if (out.length === 0) out.push("");
  return [tensor("string", twoDim ? [1, out.length] : [out.length], out)];
}

/** StringConcat: elementwise X + Y with numpy-style broadcasting. */
function stringConcat(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const y = input(inputs, 1, ctx);
  const a = strings(x, ctx, "X");
  const b = strings(y, ctx, "Y");
  const shape = broadcastShapes(x.shape, y.shape);
  const n = checkedNumel(shape);
  const ia = broadcastIndex(x.shape, shape);
  const ib = broadcastIndex(y.shape, shape);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = a[ia[i]] + b[ib[i]];
  return [tensor("string", shape, out)];
}

/** Python's str.isspace() set (what str.split() with no separator splits on). */
function isSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    (c >= 0x1c && c <= 0x20) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * Python's str.split(None, maxsplit): runs of whitespace separate, leading
 * and trailing whitespace gives no empty pieces; once maxsplit pieces are
 * cut the rest (leading whitespace skipped) is the last piece.
 */
function splitWhitespace(s: string, maxsplit: number): string[] {
  const parts: string[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i >= n) break;
    if (parts.length === maxsplit) {
      let end = n;
      while (end > i && isSpace(s.charCodeAt(end - 1))) end--;
      parts.push(s.slice(i, end));
      break;
    }
    const start = i;
    while (i < n && !isSpace(s.charCodeAt(i))) i++;
    parts.push(s.slice(start, i));
  }
  return parts;
}

/** Python's str.split(sep, maxsplit): every separator cuts, consecutive ones give empty pieces. */
function splitOn(s: string, sep: string, maxsplit: number): string[] {
  const parts: string[] = [];
  let from = 0;
  while (parts.length < maxsplit) {
    const at = s.indexOf(sep, from);
    if (at < 0) break;
    parts.push(s.slice(from, at));
    from = at + sep.length;
  }
  parts.push(s.slice(from));
  return parts;
}

/**
 * StringSplit: each string split as Python's str.split does (an absent or
 * empty `delimiter` splits on whitespace runs), at most `maxsplit` times
 * from the left. Output 0 is [...X.shape, longest] padded with "", output
 * 1 the int64 piece counts.
 */
function stringSplit(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const data = strings(x, ctx);
  const delimiter = ctx.string("delimiter", "");
  const maxsplit = ctx.has("maxsplit") ? ctx.int("maxsplit") : Number.POSITIVE_INFINITY;
  if (!(maxsplit >= 0)) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': maxsplit ${maxsplit} is negative`);
  const pieces = data.map((s) => (delimiter === "" ? splitWhitespace(s, maxsplit) : splitOn(s, delimiter, maxsplit)));
  let longest = 0;
  for (const p of pieces) longest = Math.max(longest, p.length);
  const shape = [...x.shape, longest];
  const out = new Array<string>(checkedNumel(shape)).fill("");
  const counts = new Float64Array(data.length);
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    counts[i] = p.length;
    for (let k = 0; k < p.length; k++) out[i * longest + k] = p[k];
  }
  return [tensor("string", shape, out), tensor("int64", x.shape, counts)];
}

/**
 * RegexFullMatch: bool tensor, true where the whole string matches the RE2
 * `pattern` (re2-match.ts: RE2 syntax, linear-time matching).
 */
function regexFullMatch(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const data = strings(x, ctx, "X");
  if (!ctx.has("pattern")) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' has no pattern`);
  const re = new Re2FullMatcher(ctx.string("pattern"));
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = re.test(data[i]) ? 1 : 0;
  return [tensor("bool", x.shape, out)];
}

registerNnOps({
  StringNormalizer: stringNormalizer,
  StringConcat: stringConcat,
  StringSplit: stringSplit,
  RegexFullMatch: regexFullMatch,
});
