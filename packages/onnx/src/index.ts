export { F as ONNX_FORMAT } from "./wire.js";
export { type OnnxDataType, type TypedField, onnxDataType, onnxTypeOf } from "./data-type.js";
export { type OnnxOpenOptions, OnnxModel, openOnnx } from "./model.js";
export { decodeTensorProto } from "./tensor-file.js";
export { type OnnxEncodeOptions, MAX_MODEL_BYTES, encodeOnnx, encodeOnnxParts, encodeTensorProto } from "./encode.js";
export { ProtoParts } from "./proto-parts.js";
export { reencodeOnnx } from "./reencode.js";
export { detectOnnx, onnxDetector } from "./detect.js";
export { type OnnxAttribute, type OnnxGraph, type OnnxModelGraph, type OnnxNode, type OnnxValueInfo, readOnnxGraph } from "./graph.js";
