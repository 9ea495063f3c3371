import { createHash } from "node:crypto";
import type { Tensor } from "@codec/core";
import type { OnnxAttribute, OnnxGraph, OnnxModelGraph } from "@codec/onnx";

/**
 * readOnnxGraph's result in the JSON form tools/fixtures/onnx/make_fixtures.py's model_graph
 * writes from python onnx's reading (attributes by their declared type, tensors as dtype,
 * shape and sha256, floats with NaN/inf spelled out), and a readable first difference.
 */

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** A float as corpus_digests.py writes it (JSON has no NaN/inf). */
const num = (x: number): number | string => (Number.isNaN(x) ? "nan" : x === Number.POSITIVE_INFINITY ? "inf" : x === Number.NEGATIVE_INFINITY ? "-inf" : x);
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

export function tensorSummary(t: Tensor): object {
  return t.dtype === "string" ? { dtype: t.dtype, shape: t.shape, strings: t.strings() } : { dtype: t.dtype, shape: t.shape, sha256: sha(t.bytes()) };
}

/** readOnnxGraph's attribute in corpus_digests.py's form: the value of its declared type. */
export function attributeJson(a: OnnxAttribute): object {
  const out: Record<string, unknown> = { name: a.name, type: a.type };
  switch (a.type) {
    case 1:
      out.f = num(a.f ?? 0);
      break;
    case 2:
      out.i = a.i ?? 0;
      break;
    case 3:
      out.s = hex(a.s ?? new Uint8Array(0));
      break;
    case 4:
      out.t = a.t ? tensorSummary(a.t) : null;
      break;
    case 5:
      out.g = a.g ? graphJson(a.g) : null;
      break;
    case 6:
      out.floats = (a.floats ?? []).map(num);
      break;
    case 7:
      out.ints = a.ints ?? [];
      break;
    case 8:
      out.strings = (a.strings ?? []).map(hex);
      break;
    case 9:
      out.tensors = (a.tensors ?? []).map(tensorSummary);
      break;
    case 10:
      out.graphs = (a.graphs ?? []).map(graphJson);
      break;
  }
  if (a.refAttrName) out.refAttrName = a.refAttrName;
  return out;
}

export function graphJson(g: OnnxGraph): object {
  return {
    name: g.name,
    nodes: g.nodes.map((n) => ({ name: n.name, opType: n.opType, domain: n.domain, inputs: n.inputs, outputs: n.outputs, attributes: [...n.attributes.values()].map(attributeJson) })),
    inputs: g.inputs,
    outputs: g.outputs,
    initializers: [...g.initializers].map(([name, t]) => ({ ...tensorSummary(t), name })),
    sparse: 0,
  };
}

/** Where two JSON values first differ, as a path and both sides. */
export function jsonDiff(a: unknown, b: unknown, path = ""): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${path}: ${a.length} items, python ${b.length}`;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = jsonDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
  }
  return `${path}: got ${JSON.stringify(a)?.slice(0, 150)}, python ${JSON.stringify(b)?.slice(0, 150)}`;
}


export function modelGraphJson(g: OnnxModelGraph): unknown {
  return JSON.parse(JSON.stringify({ irVersion: g.irVersion, opsets: g.opsets, graph: graphJson(g.graph) }));
}
