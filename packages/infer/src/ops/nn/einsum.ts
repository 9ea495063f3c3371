/**
 * Einsum (onnx Operators.md, numpy.einsum semantics): an equation
 * "ij,jk->ik" names each operand's dimensions; labels missing from the
 * output are summed over, a label repeated within one operand takes its
 * diagonal, and "..." stands for broadcast leading dimensions
 * (right-aligned across operands). Without "->" the output is the
 * ellipsis dimensions followed by the labels used exactly once, in
 * alphabetical order.
 *
 * Evaluated as one odometer over every label (output labels first, then
 * the summed ones), keeping each operand's element offset up to date by
 * its per-label stride: no intermediate tensors, any number of operands.
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { F, fromValues, registerNnOps } from "./util.js";

/** Labels are character codes for letters, and -1 - j for the j-th ellipsis dimension (of E, right-aligned). */
export interface EinsumPlan {
  inputs: number[][];
  output: number[];
  sizes: Map<number, number>;
}

function parseTerm(term: string, rank: number | undefined, E: number, what: string): number[] {
  const dots = term.indexOf("...");
  if (dots >= 0 && term.indexOf("...", dots + 1) >= 0) fail("CORRUPT", F, `Einsum: ${what} '${term}' has two ellipses`);
  const letters = term.replace("...", "");
  for (const ch of letters) if (!/[a-zA-Z]/.test(ch)) fail("CORRUPT", F, `Einsum: ${what} '${term}' has the character '${ch}'`);
  const codes = [...letters].map((c) => c.charCodeAt(0));
  if (dots < 0) {
    if (rank !== undefined && rank !== codes.length) fail("CORRUPT", F, `Einsum: ${what} '${term}' names ${codes.length} dimensions of a rank-${rank} input`);
    return codes;
  }
  const e = rank === undefined ? E : rank - codes.length;
  if (e < 0) fail("CORRUPT", F, `Einsum: ${what} '${term}' names more dimensions than its rank ${rank}`);
  const ell: number[] = [];
  for (let j = E - e; j < E; j++) ell.push(-1 - j);
  const before = [...term.slice(0, dots)].map((c) => c.charCodeAt(0));
  const after = [...term.slice(dots + 3)].map((c) => c.charCodeAt(0));
  return [...before, ...ell, ...after];
}

export function planEinsum(equation: string, shapes: readonly (readonly number[])[]): EinsumPlan {
  const eq = equation.replace(/\s+/g, "");
  const arrow = eq.indexOf("->");
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const terms = lhs.split(",");
  if (terms.length !== shapes.length) fail("CORRUPT", F, `Einsum equation '${equation}' has ${terms.length} operands, the node ${shapes.length} inputs`);
  // E: the most dimensions any operand's ellipsis covers.
  let E = 0;
  terms.forEach((t, i) => {
    if (t.includes("...")) E = Math.max(E, shapes[i].length - t.replace("...", "").length);
  });
  const inputs = terms.map((t, i) => parseTerm(t, shapes[i].length, E, "operand"));
  const sizes = new Map<number, number>();
  inputs.forEach((labels, i) => {
    labels.forEach((l, d) => {
      const n = shapes[i][d];
      const had = sizes.get(l);
      // Ellipsis dimensions broadcast (1 against n); named ones must agree.
      if (had === undefined || (l < 0 && had === 1)) sizes.set(l, n);
      else if (had !== n && !(l < 0 && n === 1)) fail("CORRUPT", F, `Einsum '${equation}': dimension '${l < 0 ? "..." : String.fromCharCode(l)}' is ${had} in one place and ${n} in another`);
    });
  });
  for (let j = 0; j < E; j++) if (!sizes.has(-1 - j)) sizes.set(-1 - j, 1);
  let output: number[];
  if (arrow >= 0) {
    output = parseTerm(eq.slice(arrow + 2), undefined, E, "output");
    for (const l of output) if (!sizes.has(l)) fail("CORRUPT", F, `Einsum '${equation}': output label '${String.fromCharCode(l)}' is no input's`);
    if (new Set(output).size !== output.length) fail("CORRUPT", F, `Einsum '${equation}': an output label repeats`);
  } else {
    const counts = new Map<number, number>();
    for (const labels of inputs) for (const l of labels) if (l >= 0) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l).sort((a, b) => a - b);
    output = [];
    for (let j = 0; j < E; j++) output.push(-1 - j);
    output.push(...once);
  }
  return { inputs, output, sizes };
}

export function runEinsum(plan: EinsumPlan, shapes: readonly (readonly number[])[], data: readonly NumArray[]): { shape: number[]; values: Float64Array } {
  const { inputs, output, sizes } = plan;
  const summed = [...sizes.keys()].filter((l) => !output.includes(l));
  const order = [...output, ...summed];
  const L = order.length;
  const dims = order.map((l) => sizes.get(l) ?? 1);
  const outShape = output.map((l) => sizes.get(l) ?? 1);
  let outCount = 1;
  for (const d of outShape) outCount *= d;
  let innerCount = 1;
  for (let i = output.length; i < L; i++) innerCount *= dims[i];
  const nOps = inputs.length;
  // stride[op * L + i]: how far operand op's offset moves when label order[i] steps (0 where it is broadcast or absent).
  const stride = new Float64Array(nOps * L);
  inputs.forEach((labels, op) => {
    const shape = shapes[op];
    let s = 1;
    for (let d = labels.length - 1; d >= 0; d--) {
      const i = order.indexOf(labels[d]);
      if (shape[d] !== 1 || dims[i] === 1) stride[op * L + i] += s;
      s *= shape[d];
    }
  });
  const values = new Float64Array(outCount);
  if (outCount === 0 || innerCount === 0) return { shape: outShape, values };
  const counter = new Int32Array(L);
  const offset = new Float64Array(nOps);
  for (let o = 0; o < outCount; o++) {
    let acc = 0;
    for (let t = 0; t < innerCount; t++) {
      let prodv = 1;
      for (let op = 0; op < nOps; op++) prodv *= data[op][offset[op]];
      acc += prodv;
      // Advance the odometer (last label fastest), moving every operand's offset.
      for (let i = L - 1; i >= 0; i--) {
        counter[i]++;
        for (let op = 0; op < nOps; op++) offset[op] += stride[op * L + i];
        if (counter[i] < dims[i]) break;
        for (let op = 0; op < nOps; op++) offset[op] -= stride[op * L + i] * dims[i];
        counter[i] = 0;
      }
    }
    values[o] = acc;
  }
  return { shape: outShape, values };
}

registerNnOps({
  Einsum: (inputs, ctx) => {
    if (inputs.length === 0) fail("CORRUPT", F, `Einsum node '${ctx.nodeName}' has no inputs`);
    const ts: RTensor[] = inputs.map((t, i) => t ?? fail("CORRUPT", F, `Einsum node '${ctx.nodeName}' is missing input ${i}`));
    const shapes = ts.map((t) => t.shape);
    const plan = planEinsum(ctx.string("equation"), shapes);
    const { shape, values } = runEinsum(plan, shapes, ts.map(nums));
    return [fromValues(ts[0].dtype, shape, values)];
  },
});
