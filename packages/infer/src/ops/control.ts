/** Constant, Identity and If: the ops the runner itself needs to run any graph. */
import { fail } from "@codec/core";
import { fromTensor } from "../convert.js";
import { input, registerOps } from "./registry.js";
import { arrayFor, nums, numel, type RTensor, stridesOf, tensor } from "../tensor.js";

registerOps({
  Identity: (inputs, ctx) => [input(inputs, 0, ctx)],
  Constant: (_inputs, ctx) => {
    const t = ctx.tensor("value");
    if (t !== undefined) return [fromTensor(t)];
    if (ctx.has("value_float")) return [tensor("float32", [], new Float32Array([ctx.float("value_float")]))];
    if (ctx.has("value_floats")) return [tensor("float32", [ctx.floats("value_floats").length], new Float32Array(ctx.floats("value_floats")))];
    if (ctx.has("value_int")) return [tensor("int64", [], new Float64Array([ctx.int("value_int")]))];
    if (ctx.has("value_ints")) return [tensor("int64", [ctx.ints("value_ints").length], new Float64Array(ctx.ints("value_ints")))];
    if (ctx.has("value_string")) return [tensor("string", [], [ctx.string("value_string")])];
    if (ctx.has("value_strings")) return [tensor("string", [ctx.strings("value_strings").length], ctx.strings("value_strings"))];
    return fail("UNSUPPORTED", "infer", `Constant node '${ctx.nodeName}' has no value attribute this runner reads`);
  },
  If: (inputs, ctx) => {
    const cond = nums(input(inputs, 0, ctx));
    const branch = ctx.graph(cond[0] !== 0 ? "then_branch" : "else_branch");
    if (branch === undefined) return fail("CORRUPT", "infer", `If node '${ctx.nodeName}' has no branch graph`);
    return ctx.runGraph(branch, []);
  },
});

/** Stacks equally shaped tensors along a new axis 0 (Loop's scan outputs). */
function stack(parts: readonly RTensor[], what: string): RTensor {
  if (parts.length === 0) return fail("UNSUPPORTED", "infer", `${what}: an empty scan output has no known element shape`);
  const shape = parts[0].shape;
  const size = numel(shape);
  const out = arrayFor(parts[0].dtype, size * parts.length);
  parts.forEach((p, k) => {
    if (p.shape.join() !== shape.join()) fail("CORRUPT", "infer", `${what}: scan output shapes differ ([${p.shape}] vs [${shape}])`);
    if (Array.isArray(out)) for (let i = 0; i < size; i++) out[k * size + i] = (p.data as string[])[i];
    else out.set(nums(p), k * size);
  });
  return tensor(parts[0].dtype, [parts.length, ...shape], out);
}

/** Moves axis `from` of t to position `to` (Scan's input/output axes). */
function moveAxis(t: RTensor, from: number, to: number): RTensor {
  if (from === to) return t;
  const order = t.shape.map((_, i) => i).filter((i) => i !== from);
  order.splice(to, 0, from);
  const shape = order.map((i) => t.shape[i]);
  const inStrides = stridesOf(t.shape);
  const n = numel(shape);
  const out = arrayFor(t.dtype, n);
  const idx = new Array<number>(shape.length).fill(0);
  const src = t.data;
  for (let k = 0; k < n; k++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at += idx[d] * inStrides[order[d]];
    (out as unknown as unknown[])[k] = (src as unknown as unknown[])[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return tensor(t.dtype, shape, out);
}

/** Element `i` along axis 0. */
function slice0(t: RTensor, i: number): RTensor {
  const shape = t.shape.slice(1);
  const size = numel(shape);
  const data = Array.isArray(t.data) ? t.data.slice(i * size, (i + 1) * size) : nums(t).slice(i * size, (i + 1) * size);
  return tensor(t.dtype, shape, data);
}

registerOps({
  // Loop (opset 11+): body(iteration, cond, carried...) -> (cond, carried..., scan outputs...).
  Loop: (inputs, ctx) => {
    const body = ctx.graph("body");
    if (body === undefined) return fail("CORRUPT", "infer", `Loop node '${ctx.nodeName}' has no body`);
    const maxTrips = inputs[0] === undefined ? Number.POSITIVE_INFINITY : nums(inputs[0])[0];
    let cond = inputs[1] === undefined ? true : nums(inputs[1])[0] !== 0;
    let carried = inputs.slice(2) as RTensor[];
    const scans: RTensor[][] = [];
    for (let i = 0; i < maxTrips && cond; i++) {
      if (i >= 10_000_000) fail("LIMIT", "infer", `Loop node '${ctx.nodeName}' runs more than 10,000,000 iterations`);
      const out = ctx.runGraph(body, [tensor("int64", [], new Float64Array([i])), tensor("bool", [], new Uint8Array([cond ? 1 : 0])), ...carried]);
      cond = nums(out[0])[0] !== 0;
      carried = out.slice(1, 1 + carried.length);
      out.slice(1 + carried.length).forEach((s, k) => {
        (scans[k] ??= []).push(s);
      });
    }
    const scanCount = body.outputs.length - 1 - carried.length;
    const stacked: RTensor[] = [];
    for (let k = 0; k < scanCount; k++) stacked.push(stack(scans[k] ?? [], `Loop node '${ctx.nodeName}'`));
    return [...carried, ...stacked];
  },
  // Scan (opset 9+): state and scan inputs sliced along their axes; scan outputs stacked.
  Scan: (inputs, ctx) => {
    const body = ctx.graph("body");
    if (body === undefined) return fail("CORRUPT", "infer", `Scan node '${ctx.nodeName}' has no body`);
    if (ctx.opset < 9) return fail("UNSUPPORTED", "infer", "Scan before opset 9 (with sequence_lens)");
    const m = ctx.int("num_scan_inputs");
    const n = inputs.length - m;
    let state = inputs.slice(0, n) as RTensor[];
    const scanIn = (inputs.slice(n) as RTensor[]).map((t, k) => {
      const axis = ctx.ints("scan_input_axes", new Array<number>(m).fill(0))[k];
      return moveAxis(t, axis < 0 ? axis + t.shape.length : axis, 0);
    });
    const directions = ctx.ints("scan_input_directions", new Array<number>(m).fill(0));
    const length = scanIn[0]?.shape[0] ?? 0;
    const outs: RTensor[][] = [];
    for (let i = 0; i < length; i++) {
      const slices = scanIn.map((t, k) => slice0(t, directions[k] === 1 ? length - 1 - i : i));
      const r = ctx.runGraph(body, [...state, ...slices]);
      state = r.slice(0, n);
      r.slice(n).forEach((s, k) => {
        (outs[k] ??= []).push(s);
      });
    }
    const outCount = body.outputs.length - n;
    const outDirections = ctx.ints("scan_output_directions", new Array<number>(outCount).fill(0));
    const outAxes = ctx.ints("scan_output_axes", new Array<number>(outCount).fill(0));
    const stacked: RTensor[] = [];
    for (let k = 0; k < outCount; k++) {
      const parts = outs[k] ?? [];
      const s = stack(outDirections[k] === 1 ? [...parts].reverse() : parts, `Scan node '${ctx.nodeName}'`);
      const axis = outAxes[k] < 0 ? outAxes[k] + s.shape.length : outAxes[k];
      stacked.push(moveAxis(s, 0, axis));
    }
    return [...state, ...stacked];
  },
});
