/**
 * Running a model file: ONNX for now (DESIGN.md section 6 `codec run`).
 * Inputs and outputs are the codecs' Tensors, by name.
 */
import type { ByteInput, Tensor } from "@codec/core";
import { type OnnxOpenOptions, readOnnxGraph } from "@codec/onnx";
import { fromTensor, toTensor } from "./convert.js";
import { type RunOptions, runOnnxGraph } from "./onnx-runner.js";
import type { RTensor } from "./tensor.js";

export async function runOnnxModel(model: ByteInput, inputs: ReadonlyMap<string, Tensor>, options: RunOptions & OnnxOpenOptions = {}): Promise<Map<string, Tensor>> {
  const graph = await readOnnxGraph(model, options);
  const given = new Map<string, RTensor>();
  for (const [name, t] of inputs) given.set(name, fromTensor(t));
  const out = runOnnxGraph(graph, given, options);
  return new Map([...out].map(([name, t]) => [name, toTensor(t)]));
}
