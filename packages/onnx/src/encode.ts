/**
 * Writing tensors as an ONNX model: a ModelProto whose graph has no nodes
 * and one initializer per tensor (what `codec convert x.safetensors y.onnx`
 * makes; onnx.checker accepts it and onnx.numpy_helper reads every
 * initializer back). Fields go in field-number order, as onnx's own
 * serializer writes them; numeric data goes in raw_data (little-endian),
 * strings in string_data. Protobuf messages cannot exceed 2 GiB, so with
 * `externalData` large tensors are written to a data file instead
 * (external-writer.ts).
 */
import { type DType, fail, type Tensor, type TensorMap, utf8Encode } from "@codec/core";
import { onnxTypeOf } from "./data-type.js";
import { type ExternalDataFile, writeExternalFields } from "./external-writer.js";
import { ProtoParts } from "./proto-parts.js";
import { F } from "./wire.js";

export interface OnnxEncodeOptions {
  /** GraphProto.name (default "graph"). */
  graphName?: string;
  /** ModelProto.producer_name (default "codec"). */
  producerName?: string;
  /** ModelProto.ir_version (default 8, which onnx >= 1.10 reads). */
  irVersion?: number;
  /** Default-domain opset (default 17). */
  opset?: number;
  /** String metadata, written as ModelProto.metadata_props. */
  metadata?: Record<string, string>;
  /**
   * Where tensors of at least `sizeThreshold` bytes go instead of
   * raw_data; the caller writes its parts to `location` beside the model.
   */
  externalData?: ExternalDataFile;
}

/** Protobuf's limit on one message (and so on an ONNX file without external data). */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

/** A TensorProto for `tensor` named `name`; its data goes to `external` when that takes it. */
export function encodeTensorProto(name: string, tensor: Tensor, external?: ExternalDataFile): ProtoParts {
  const type = onnxTypeOf(tensor.dtype as DType);
  if (type === undefined) return fail("UNSUPPORTED", F, `tensor '${name}' has dtype ${tensor.dtype}, which ONNX cannot store`);
  const p = new ProtoParts();
  // dims: repeated int64, unpacked (proto2 without [packed = true]).
  for (const d of tensor.shape) p.varintField(1, d);
  p.varintField(2, type.code);
  if (tensor.dtype === "string") {
    for (const s of tensor.strings()) p.bytesField(6, utf8Encode(s));
    p.stringField(8, name);
  } else {
    p.stringField(8, name);
    const bytes = tensor.bytes();
    if (external?.takes(bytes.length)) writeExternalFields(p, external, external.add(bytes), bytes.length);
    else p.bytesField(9, bytes);
  }
  return p;
}

/** The parts of a ModelProto holding every tensor of `map` as an initializer. */
export async function encodeOnnxParts(map: TensorMap, options: OnnxEncodeOptions = {}): Promise<ProtoParts> {
  const graph = new ProtoParts();
  graph.stringField(2, options.graphName ?? "graph");
  for (const name of map.names()) {
    const t = await map.get(name);
    graph.messageField(5, encodeTensorProto(name, t, options.externalData));
    if (graph.length > MAX_MODEL_BYTES) fail("LIMIT", F, `the tensors exceed protobuf's 2 GiB limit for one ONNX file${options.externalData ? "" : " (write them as external data)"}`);
  }
  const model = new ProtoParts();
  model.varintField(1, options.irVersion ?? 8);
  model.stringField(2, options.producerName ?? "codec");
  model.messageField(7, graph);
  const opset = new ProtoParts();
  opset.stringField(1, "");
  opset.varintField(2, options.opset ?? 17);
  model.messageField(8, opset);
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    const entry = new ProtoParts();
    entry.stringField(1, k);
    entry.stringField(2, v);
    model.messageField(14, entry);
  }
  if (model.length > MAX_MODEL_BYTES) fail("LIMIT", F, "the model exceeds protobuf's 2 GiB limit for one ONNX file");
  return model;
}

/** A ModelProto holding every tensor of `map` as an initializer, as one array. */
export async function encodeOnnx(map: TensorMap, options: OnnxEncodeOptions = {}): Promise<Uint8Array> {
  return (await encodeOnnxParts(map, options)).join();
}
