export { type NumArray, type RTensor, arrayFor, tensor, nums, numel, stridesOf, toNumbers, isFloat } from "./tensor.js";
export { fromTensor, toTensor } from "./convert.js";
export { type OpContext, type OpImpl, registerOps, registeredOps, opFor, input } from "./ops/registry.js";
export { type RunOptions, runOnnxGraph } from "./onnx-runner.js";
export { runOnnxModel } from "./run-model.js";
export { broadcastShapes, broadcastIndex, normalizeAxis } from "./broadcast.js";
export { predictSklearn, sklearnInput } from "./sklearn/predict.js";
export type { Matrix } from "./sklearn/state.js";
