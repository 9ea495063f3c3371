/**
 * TfIdfVectorizer (onnx Operators.md, opset 9): counts the n-grams of a
 * pool in each row of a token sequence and writes a float32 vector.
 *
 * The pool (pool_int64s or pool_strings) lists the 1-grams, then the
 * 2-grams, ...; ngram_counts[k] is where the (k+1)-grams start in it, and
 * ngram_indexes[i] is the output column of pool n-gram i. An n-gram with
 * skip s takes tokens i, i + (s + 1), ..., i + (n - 1)(s + 1); every n in
 * [min_gram_length, max_gram_length] is counted with every skip in
 * [0, max_skip_count] (1-grams once: skips do not change them). mode TF
 * writes the count, IDF the weight where the count is non-zero, TFIDF
 * count * weight (weights default to 1). Input [L] gives [C], [N, L]
 * gives [N, C] (n-grams never span rows), C = max(ngram_indexes) + 1.
 */
import { fail } from "@codec/core";
import { checkedNumel, type RTensor, tensor } from "../tensor.js";
import { registerNnOps } from "./nn/util.js";
import { input, type OpContext } from "./registry.js";

const F = "infer";

/** A map key for a token sequence (numbers joined; strings JSON-quoted so no separator is ambiguous). */
function keyOf(tokens: readonly (number | string)[]): string {
  return typeof tokens[0] === "string" ? JSON.stringify(tokens) : tokens.join(",");
}

interface Pool {
  /** By n (index n - 1): n-gram key -> pool n-gram number. */
  levels: Map<string, number>[];
  columns: number[];
  weights: number[];
  width: number;
}

function readPool(ctx: OpContext, strings: boolean): Pool {
  const where = `${ctx.opType} node '${ctx.nodeName}'`;
  const pool: (number | string)[] = strings ? ctx.strings("pool_strings", []) : ctx.ints("pool_int64s", []);
  if (strings ? ctx.has("pool_int64s") : ctx.has("pool_strings")) {
    fail("CORRUPT", F, `${where}: a ${strings ? "string" : "integer"} input needs pool_${strings ? "strings" : "int64s"}`);
  }
  const counts = ctx.ints("ngram_counts", []);
  const columns = ctx.ints("ngram_indexes", []);
  const levels: Map<string, number>[] = [];
  let gram = 0;
  for (let k = 0; k < counts.length; k++) {
    const n = k + 1;
    const start = counts[k];
    const end = k + 1 < counts.length ? counts[k + 1] : pool.length;
    if (!(start >= 0 && end >= start && end <= pool.length && (end - start) % n === 0)) {
      fail("CORRUPT", F, `${where}: ngram_counts [${counts.join(", ")}] do not split a pool of ${pool.length} into n-grams`);
    }
    const level = new Map<string, number>();
    for (let p = start; p < end; p += n) level.set(keyOf(pool.slice(p, p + n)), gram++);
    levels.push(level);
  }
  if (columns.length !== gram) fail("CORRUPT", F, `${where}: ${columns.length} ngram_indexes for ${gram} pool n-grams`);
  let width = 0;
  for (const c of columns) {
    if (!(Number.isInteger(c) && c >= 0)) fail("CORRUPT", F, `${where}: ngram_indexes has ${c}`);
    width = Math.max(width, c + 1);
  }
  const weights = ctx.floats("weights", []);
  if (weights.length !== 0 && weights.length !== gram) fail("CORRUPT", F, `${where}: ${weights.length} weights for ${gram} pool n-grams`);
  return { levels, columns, weights, width };
}

function tfIdfVectorizer(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const where = `${ctx.opType} node '${ctx.nodeName}'`;
  const strings = Array.isArray(x.data);
  if (!strings && !(x.dtype === "int32" || x.dtype === "int64")) fail("UNSUPPORTED", F, `${where}: input of dtype ${x.dtype} (string, int32 or int64 only)`);
  if (x.shape.length !== 1 && x.shape.length !== 2) fail("CORRUPT", F, `${where}: input has rank ${x.shape.length}, needs 1 or 2`);
  const mode = ctx.string("mode", "");
  if (mode !== "TF" && mode !== "IDF" && mode !== "TFIDF") fail("CORRUPT", F, `${where}: mode '${mode}' is not TF, IDF or TFIDF`);
  const minN = ctx.int("min_gram_length", 1);
  const maxN = ctx.int("max_gram_length", 1);
  const maxSkip = ctx.int("max_skip_count", 0);
  if (!(minN >= 1 && maxN >= minN && maxSkip >= 0)) fail("CORRUPT", F, `${where}: gram lengths ${minN}..${maxN} and skip ${maxSkip} are not a valid range`);
  const pool = readPool(ctx, strings);
  const rows = x.shape.length === 2 ? x.shape[0] : 1;
  const len = x.shape[x.shape.length - 1];
  const outShape = x.shape.length === 2 ? [rows, pool.width] : [pool.width];
  const out = new Float32Array(checkedNumel(outShape));
  const data = x.data as ArrayLike<number | string>;
  const counts = new Float64Array(pool.columns.length);
  const gram: (number | string)[] = [];
  for (let r = 0; r < rows; r++) {
    counts.fill(0);
    const base = r * len;
    for (let n = minN; n <= maxN && n <= pool.levels.length; n++) {
      const level = pool.levels[n - 1];
      if (level.size === 0) continue;
      // Skips beyond what fits in the row find nothing; stop there (max_skip_count may be huge).
      for (let skip = 0; skip <= (n === 1 ? 0 : maxSkip) && (n - 1) * (skip + 1) < len; skip++) {
        const step = skip + 1;
        for (let i = 0; i + (n - 1) * step < len; i++) {
          gram.length = 0;
          for (let j = 0; j < n; j++) gram.push(data[base + i + j * step]);
          const g = level.get(keyOf(gram));
          if (g !== undefined) counts[g]++;
        }
      }
    }
    for (let g = 0; g < counts.length; g++) {
      const c = counts[g];
      if (c === 0) continue;
      const w = pool.weights.length > 0 ? pool.weights[g] : 1;
      out[r * pool.width + pool.columns[g]] = mode === "TF" ? c : mode === "IDF" ? w : c * w;
    }
  }
  return [tensor("float32", outShape, out)];
}

registerNnOps({ TfIdfVectorizer: tfIdfVectorizer });
