/**
 * `codec run model.pt --arch NAME`: a PyTorch state_dict run through the
 * torchvision architecture NAME (eval mode). Input `input` is NCHW
 * float32; the result is the classifier's logits.
 */
import type { Tensor, TensorMap } from "@codec/core";
import { fromTensor, toTensor } from "../convert.js";
import { runOnnxGraph } from "../onnx-runner.js";
import "./adaptive-pool.js";
import { markerOf, torchvisionGraph } from "./architectures.js";
import { stateDictWeights } from "./graph-builder.js";

export async function runTorchvision(arch: string, stateDict: TensorMap, input: Tensor, onNode?: (index: number, count: number) => void): Promise<Tensor> {
  const weights = await stateDictWeights(stateDict, markerOf(arch));
  const graph = torchvisionGraph(arch, weights, input.shape);
  const out = runOnnxGraph({ irVersion: 8, opsets: { "ai.onnx": 17 }, graph }, new Map([["input", fromTensor(input)]]), {
    onNode: onNode === undefined ? undefined : (_n, i, c) => onNode(i, c),
  });
  return toTensor(out.get("output") as NonNullable<ReturnType<typeof out.get>>);
}
