/**
 * Runs an ONNX graph on the CPU, node by node in file order (onnx.proto
 * requires nodes to be topologically sorted). A reference runner: plain
 * loops over typed arrays, no graph rewriting, results meant to match
 * onnx's reference evaluator within float tolerance.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxAttribute, OnnxGraph, OnnxModelGraph, OnnxNode } from "@codec/onnx";
import { fromTensor } from "./convert.js";
import "./ops/index.js";
import { type OpContext, opFor } from "./ops/registry.js";
import type { RTensor } from "./tensor.js";

const F = "infer";
const text = new TextDecoder();

type Scope = Map<string, RTensor>;

export interface RunOptions {
  /** Called after each node (for progress and debugging). */
  onNode?: (node: OnnxNode, index: number, count: number) => void;
}

/**
 * Runs `model` with `inputs` (by graph input name); returns the graph
 * outputs by name, in the graph's order. Graph inputs that are also
 * initializers take the initializer unless given.
 */
export function runOnnxGraph(model: OnnxModelGraph, inputs: ReadonlyMap<string, RTensor>, options: RunOptions = {}): Map<string, RTensor> {
  const opset = model.opsets["ai.onnx"] ?? model.opsets[""] ?? 1;
  const outer: Scope = new Map();
  for (const i of model.graph.inputs) {
    const given = inputs.get(i.name);
    if (given === undefined && !model.graph.initializers.has(i.name)) fail("USAGE", F, `the model needs input '${i.name}'`);
  }
  for (const name of inputs.keys()) {
    if (!model.graph.inputs.some((i) => i.name === name)) fail("USAGE", F, `the model has no input named '${name}' (inputs: ${model.graph.inputs.map((i) => i.name).join(", ")})`);
  }
  const results = runGraph(model.graph, opset, outer, (scope) => {
    for (const [name, t] of inputs) scope.set(name, t);
  }, options);
  const out = new Map<string, RTensor>();
  model.graph.outputs.forEach((o, k) => {
    out.set(o.name, results[k]);
  });
  return out;
}

function runGraph(graph: OnnxGraph, opset: number, parent: Scope, bind: (scope: Scope) => void, options: RunOptions): RTensor[] {
  const scope: Scope = new Map(parent);
  for (const [name, t] of graph.initializers) scope.set(name, fromTensor(t));
  bind(scope);
  graph.nodes.forEach((node, index) => {
    const impl = opFor(node.opType, node.domain);
    if (impl === undefined) {
      fail("UNSUPPORTED", F, `operator ${node.domain === "" ? "" : `${node.domain}.`}${node.opType} (node '${node.name}') is not implemented`);
    }
    const args = node.inputs.map((name) => {
      if (name === "") return undefined;
      const v = scope.get(name);
      if (v === undefined) fail("CORRUPT", F, `node '${node.name}' (${node.opType}) reads '${name}', which nothing produced`);
      return v;
    });
    const ctx = contextFor(node, opset, scope, options);
    const outs = impl(args, ctx);
    node.outputs.forEach((name, k) => {
      if (name === "") return;
      const v = outs[k];
      if (v === undefined) fail("UNSUPPORTED", F, `${node.opType} node '${node.name}' did not produce output ${k} ('${name}')`);
      scope.set(name, v);
    });
    options.onNode?.(node, index, graph.nodes.length);
  });
  return graph.outputs.map((o) => {
    const v = scope.get(o.name);
    if (v === undefined) return fail("CORRUPT", F, `graph output '${o.name}' is never produced`);
    return v;
  });
}

function contextFor(node: OnnxNode, opset: number, scope: Scope, options: RunOptions): OpContext {
  const attr = (name: string): OnnxAttribute | undefined => node.attributes.get(name);
  const missing = (name: string): never => fail("CORRUPT", F, `${node.opType} node '${node.name}' needs attribute '${name}'`);
  return {
    opType: node.opType,
    opset,
    nodeName: node.name,
    outputCount: node.outputs.length,
    has: (name) => node.attributes.has(name),
    int: (name, fallback) => attr(name)?.i ?? fallback ?? missing(name),
    ints: (name, fallback) => attr(name)?.ints ?? fallback ?? missing(name),
    float: (name, fallback) => attr(name)?.f ?? fallback ?? missing(name),
    floats: (name, fallback) => attr(name)?.floats ?? fallback ?? missing(name),
    string: (name, fallback) => {
      const s = attr(name)?.s;
      return s !== undefined ? text.decode(s) : (fallback ?? missing(name));
    },
    strings: (name, fallback) => attr(name)?.strings?.map((s) => text.decode(s)) ?? fallback ?? missing(name),
    tensor: (name): Tensor | undefined => attr(name)?.t,
    graph: (name) => attr(name)?.g,
    attribute: attr,
    runGraph: (graph, inputs) =>
      runGraph(graph, opset, scope, (inner) => {
        graph.inputs.forEach((i, k) => {
          const v = inputs[k];
          if (v !== undefined) inner.set(i.name, v);
        });
      }, options),
  };
}
