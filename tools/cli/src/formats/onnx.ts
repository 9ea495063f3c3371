import { type ByteSource, type TensorMap, withoutStringTensors } from "@codec/core";
import { detectOnnx, openOnnx, reencodeOnnx } from "@codec/onnx";
import { onnxFileOptions, writeOnnxFile } from "@codec/onnx/node";
import { writeFileSync } from "node:fs";
import type { DetectContext, FormatAdapter } from "../adapter.js";
import { stringMetadata } from "../metadata.js";

/**
 * ONNX: detected by structure (a ModelProto's top-level fields; ONNX has no
 * magic), opened header-only with external data resolved beside the model.
 * Same-format convert keeps the whole model (external data inlined); other
 * formats get the initializers as a node-less graph with the string
 * metadata as metadata_props. No pickles, so `scan` is always safe.
 */
export const onnxAdapter: FormatAdapter = {
  format: "onnx",
  outputExtensions: ["onnx"],

  detect(ctx: DetectContext): number {
    return detectOnnx(ctx.head, ctx.source.byteLength);
  },

  open(source: ByteSource, path: string): Promise<TensorMap> {
    return openOnnx(source, onnxFileOptions(path));
  },

  forTarget(input: TensorMap, targetFormat: string): TensorMap {
    // String initializers go to ONNX and HDF5; the flat formats carry the numbers.
    return targetFormat === "onnx" || targetFormat === "hdf5" || targetFormat === "keras" ? input : withoutStringTensors(input);
  },

  async reencode(source: ByteSource, path: string, outPath: string): Promise<void> {
    writeFileSync(outPath, await reencodeOnnx(source, onnxFileOptions(path)));
  },

  async write(input: TensorMap, outPath: string): Promise<void> {
    await writeOnnxFile(outPath, input, { metadata: stringMetadata(input) });
  },
};
