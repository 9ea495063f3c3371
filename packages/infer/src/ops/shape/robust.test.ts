import { describe, expect, it } from "vitest";
import { fail, isCodecError } from "@codec/core";
import { rng } from "@codec/testing";
import { type RTensor, tensor } from "../../tensor.js";
import { type OpContext, opFor } from "../registry.js";
import "./index.js";

/**
 * The section 7 contract for ops: whatever inputs and attributes a model
 * gives (wrong ranks, out-of-range indices and axes, huge sizes), an op
 * returns tensors or throws a CodecError, never a RangeError/TypeError.
 */

type Attr = number | number[] | string;

function ctxOf(opType: string, attrs: Record<string, Attr>, outputs: number): OpContext {
  const pick = <T>(name: string, fallback: T | undefined): T => {
    if (name in attrs) return attrs[name] as T;
    // As the runner does: a missing required attribute is a CORRUPT model.
    if (fallback === undefined) return fail("CORRUPT", "infer", `no attribute ${name}`);
    return fallback;
  };
  const ctx = {
    opType,
    opset: 21,
    nodeName: "fuzz",
    outputCount: outputs,
    has: (name: string) => name in attrs,
    int: pick<number>,
    ints: pick<number[]>,
    float: pick<number>,
    floats: pick<number[]>,
    string: pick<string>,
    strings: pick<string[]>,
    tensor: () => undefined,
    graph: () => undefined,
    attribute: () => undefined,
    runGraph: () => [],
  };
  return ctx;
}

// Inputs per op: "x" a data tensor, "i" a small int64 list, "s" an int64 scalar.
const OPS: Record<string, { inputs: string; attrs: Record<string, (r: () => number) => Attr> }> = {
  Reshape: { inputs: "xi", attrs: { allowzero: (r) => (r() < 0.5 ? 0 : 1) } },
  Transpose: { inputs: "x", attrs: { perm: (r) => [Math.floor(r() * 3), Math.floor(r() * 3)] } },
  Concat: { inputs: "xx", attrs: { axis: (r) => Math.floor(r() * 7) - 3 } },
  Split: { inputs: "xi", attrs: { axis: (r) => Math.floor(r() * 5) - 2 } },
  Slice: { inputs: "xiiii", attrs: {} },
  Gather: { inputs: "xi", attrs: { axis: (r) => Math.floor(r() * 5) - 2 } },
  GatherElements: { inputs: "xx", attrs: { axis: (r) => Math.floor(r() * 5) - 2 } },
  GatherND: { inputs: "xx", attrs: { batch_dims: (r) => Math.floor(r() * 3) } },
  Squeeze: { inputs: "xi", attrs: {} },
  Unsqueeze: { inputs: "xi", attrs: {} },
  Flatten: { inputs: "x", attrs: { axis: (r) => Math.floor(r() * 9) - 4 } },
  Expand: { inputs: "xi", attrs: {} },
  Tile: { inputs: "xi", attrs: {} },
  Pad: { inputs: "xi", attrs: { mode: (r) => ["constant", "reflect", "edge", "wrap"][Math.floor(r() * 4)] } },
  ConstantOfShape: { inputs: "i", attrs: {} },
  Range: { inputs: "sss", attrs: {} },
  OneHot: { inputs: "isi", attrs: { axis: (r) => Math.floor(r() * 5) - 3 } },
  EyeLike: { inputs: "x", attrs: { k: (r) => Math.floor(r() * 7) - 3 } },
  Trilu: { inputs: "xs", attrs: {} },
  DepthToSpace: { inputs: "x", attrs: { blocksize: (r) => Math.floor(r() * 3) } },
  SpaceToDepth: { inputs: "x", attrs: { blocksize: (r) => Math.floor(r() * 3) } },
  ScatterElements: { inputs: "xxx", attrs: { axis: (r) => Math.floor(r() * 5) - 2 } },
  ScatterND: { inputs: "xxx", attrs: {} },
  NonZero: { inputs: "x", attrs: {} },
  Compress: { inputs: "xi", attrs: { axis: (r) => Math.floor(r() * 5) - 2 } },
  ReverseSequence: { inputs: "xi", attrs: {} },
  CenterCropPad: { inputs: "xi", attrs: {} },
  Resize: { inputs: "x__i", attrs: { mode: (r) => ["nearest", "linear", "cubic"][Math.floor(r() * 3)] } },
  Unique: { inputs: "x", attrs: { axis: (r) => Math.floor(r() * 5) - 2 } },
  Shape: { inputs: "x", attrs: { start: (r) => Math.floor(r() * 9) - 4 } },
};

function randomInput(kind: string, r: () => number): RTensor | undefined {
  if (kind === "_") return undefined;
  const pick = (): number => {
    const u = r();
    // Mostly small values, sometimes huge or negative ones.
    return u < 0.05 ? 2 ** 40 : u < 0.1 ? -(2 ** 40) : Math.floor(r() * 9) - 3;
  };
  if (kind === "s") return tensor("int64", [], Float64Array.of(pick()));
  if (kind === "i") {
    const n = Math.floor(r() * 5);
    return tensor("int64", [n], Float64Array.from({ length: n }, pick));
  }
  const rank = Math.floor(r() * 4);
  const shape = Array.from({ length: rank }, () => Math.floor(r() * 4));
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor("float32", shape, Float32Array.from({ length: n }, () => Math.floor(r() * 7) - 3));
}

describe("shape ops on random inputs", () => {
  it("return tensors or throw CodecErrors", () => {
    const r = rng(1234);
    const bad: string[] = [];
    for (const [op, spec] of Object.entries(OPS)) {
      const impl = opFor(op, "");
      expect(impl, op).toBeDefined();
      for (let k = 0; k < 150; k++) {
        const inputs = [...spec.inputs].map((c) => randomInput(c, r));
        const attrs: Record<string, Attr> = {};
        for (const [name, gen] of Object.entries(spec.attrs)) if (r() < 0.8) attrs[name] = gen(r);
        try {
          impl?.(inputs, ctxOf(op, attrs, 1 + Math.floor(r() * 3)));
        } catch (e) {
          if (!isCodecError(e)) bad.push(`${op}: ${e instanceof Error ? e.message : String(e)} attrs=${JSON.stringify(attrs)} shapes=${inputs.map((t) => (t === undefined ? "-" : `[${t.shape}]`)).join(" ")}`);
        }
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it("refuses outputs too large to allocate with LIMIT", () => {
    const x = tensor("float32", [2], Float32Array.of(1, 2));
    const huge = tensor("int64", [1], Float64Array.of(2 ** 40));
    for (const [op, inputs] of [
      ["Tile", [x, huge]],
      ["Expand", [x, tensor("int64", [2], Float64Array.of(2 ** 40, 2))]],
      ["Pad", [x, tensor("int64", [2], Float64Array.of(0, 2 ** 40))]],
      ["ConstantOfShape", [huge]],
    ] as const) {
      try {
        opFor(op, "")?.([...inputs], ctxOf(op, {}, 1));
        expect.unreachable(op);
      } catch (e) {
        expect(isCodecError(e) && e.code === "LIMIT", `${op}: ${String(e)}`).toBe(true);
      }
    }
  });
});
