/**
 * Transformers made of transformers (scikit-learn 1.2): Pipeline used as a
 * transformer, ColumnTransformer (its fitted `transformers_`, remainder
 * included, over integer, slice or boolean column selections) and
 * FeatureUnion (weighted, side by side). Each part runs through
 * `transformAny`, so they nest.
 */
import { fail } from "@codec/core";
import { NdArray, type PyDict, type PyValue, PySlice } from "@codec/pickle";
import { featureTransform } from "./feature-transformers.js";
import { attr, classOf, F, items, type Matrix, matrix, num, optionalAttr, samples, shortName, stateOf } from "./state.js";
import { transform } from "./transformers.js";

/** Matrices side by side ([n] counts as one column), as numpy.hstack of 2-D blocks. */
export function hstack(blocks: Matrix[], n: number): Matrix {
  const widths = blocks.map((b) => (b.shape.length === 2 ? b.shape[1] : 1));
  const width = widths.reduce((a, b) => a + b, 0);
  const out = new Float64Array(n * width);
  let at = 0;
  blocks.forEach((b, q) => {
    for (let i = 0; i < n; i++) for (let j = 0; j < widths[q]; j++) out[i * width + at + j] = b.data[i * widths[q] + j];
    at += widths[q];
  });
  return { data: out, shape: [n, width] };
}

/** The column indices a ColumnTransformer entry selects from f columns. */
function selectedColumns(spec: PyValue, f: number, what: string): number[] {
  if (typeof spec === "number" || typeof spec === "bigint") return [Number(spec)];
  if (spec instanceof PySlice) {
    const step = spec.step === null ? 1 : num(spec.step, `${what} step`);
    if (step <= 0) return fail("UNSUPPORTED", F, `${what}: a column slice with step ${step}`);
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + f : v, 0), f);
    const start = spec.start === null ? 0 : clamp(num(spec.start, what));
    const stop = spec.stop === null ? f : clamp(num(spec.stop, what));
    const out: number[] = [];
    for (let c = start; c < stop; c += step) out.push(c);
    return out;
  }
  if (spec instanceof NdArray && spec.isTensor && spec.tensor().dtype === "bool") {
    return Array.from(matrix(spec, what).data).flatMap((v, c) => (v ? [c] : []));
  }
  const values = Array.isArray(spec) || spec instanceof NdArray ? items(spec, what) : [];
  if (values.length > 0 && values.every((v) => typeof v === "boolean")) return values.flatMap((v, c) => (v ? [c] : []));
  if (values.some((v) => typeof v === "string")) return fail("UNSUPPORTED", F, `${what} selects columns by name, which a .npy input does not have`);
  if (Array.isArray(spec) && values.length === 0) return [];
  return Array.from(matrix(spec, what).data, (c) => (c < 0 ? c + f : c));
}

function columnsOf(x: Matrix, cols: number[], what: string): Matrix {
  const [n, f] = x.shape;
  for (const c of cols) if (!(Number.isInteger(c) && c >= 0 && c < f)) fail("USAGE", F, `${what}: column ${c} of an input with ${f}`);
  const out = new Float64Array(n * cols.length);
  for (let i = 0; i < n; i++) for (let q = 0; q < cols.length; q++) out[i * cols.length + q] = x.data[i * f + cols[q]];
  return { data: out, shape: [n, cols.length] };
}

function columnTransformer(state: PyDict, x: Matrix, what: string): Matrix {
  const { n, f } = samples(x, null, what);
  const blocks: Matrix[] = [];
  items(attr(state, "transformers_", what), `${what}.transformers_`).forEach((entry, e) => {
    const [name, trans, spec] = items(entry, `${what}.transformers_[${e}]`);
    const part = `${what}[${String(name)}]`;
    if (trans === "drop") return;
    const cols = selectedColumns(spec, f, part);
    if (cols.length === 0) return;
    const sub = columnsOf(x, cols, part);
    blocks.push(trans === "passthrough" ? sub : transformAnyOrFail(trans, sub, part));
  });
  return hstack(blocks, n);
}

function featureUnion(state: PyDict, x: Matrix, what: string): Matrix {
  const { n } = samples(x, null, what);
  const weights = optionalAttr(state, "transformer_weights");
  const blocks: Matrix[] = [];
  items(attr(state, "transformer_list", what), `${what}.transformer_list`).forEach((entry, e) => {
    const [name, trans] = items(entry, `${what}.transformer_list[${e}]`);
    if (trans === "drop") return;
    const part = `${what}[${String(name)}]`;
    let out = trans === "passthrough" ? x : transformAnyOrFail(trans, x, part);
    const w = weights instanceof Object && "get" in weights ? (weights as PyDict).get(String(name)) : undefined;
    if (w !== undefined && w !== null) {
      const k = num(w, `${part} weight`);
      out = { data: out.data.map((v) => v * k), shape: out.shape };
    }
    blocks.push(out);
  });
  return hstack(blocks, n);
}

/** x through every step of a Pipeline but the last (or all of them, with `all`). */
export function pipelineSteps(state: PyDict, x: Matrix, what: string, all: boolean): { x: Matrix; last: PyValue | null } {
  const steps = items(attr(state, "steps", what), `${what}.steps`).map((s) => items(s, `${what} step`)[1]);
  let current = x;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step === null || step === "passthrough") continue;
    if (i === steps.length - 1 && !all) return { x: current, last: step };
    current = transformAnyOrFail(step, current, `${what} step ${i}`);
  }
  return { x: current, last: null };
}

/** transform() of any transformer known here (composites included), or null. */
export function transformAny(estimator: PyValue, x: Matrix, what: string): Matrix | null {
  const kind = shortName(classOf(estimator) ?? "");
  if (kind === "") return null;
  const state = stateOf(estimator, what);
  switch (kind) {
    case "Pipeline":
      return pipelineSteps(state, x, what, true).x;
    case "ColumnTransformer":
      return columnTransformer(state, x, what);
    case "FeatureUnion":
      return featureUnion(state, x, what);
    default:
      return transform(kind, state, x, what) ?? featureTransform(kind, state, x, what);
  }
}

function transformAnyOrFail(estimator: PyValue, x: Matrix, what: string): Matrix {
  const out = transformAny(estimator, x, what);
  if (out === null) return fail("UNSUPPORTED", F, `${what}: ${shortName(classOf(estimator) ?? "?")} is not a transformer this runner knows`);
  return out;
}
