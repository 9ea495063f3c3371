/** Constant, Identity and If: the ops the runner itself needs to run any graph. */
import { fail } from "@codec/core";
import { fromTensor } from "../convert.js";
import { input, registerOps } from "./registry.js";
import { nums, tensor } from "../tensor.js";

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
