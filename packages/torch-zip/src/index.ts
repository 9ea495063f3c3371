export { openTorch, TorchFile, type TorchKind, type OpenTorchOptions, looksZip } from "./torch-file.js";
export { TorchStorage } from "./storage.js";
export { TorchTensor, TorchSparseTensor, TorchUnsupportedTensor, type AnyTorchTensor } from "./torch-tensor.js";
export { walkTorchTensors, type NamedTensor, type LeafTensor } from "./naming.js";
export { STORAGE_CLASS_DTYPE, DTYPE_STORAGE_CLASS, TORCH_DTYPE_ATTR } from "./dtypes.js";
export { looksLegacy, looksTar } from "./legacy-reader.js";
