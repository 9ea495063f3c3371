import { type ByteSource, type TensorMap, withoutStringTensors } from "@codec/core";
import { detectOnnx, ExternalDataFile, openOnnx, reencodeOnnx } from "@codec/onnx";
import { needsExternalData, onnxFileOptions, writeOnnxFile, writeOnnxParts } from "@codec/onnx/node";
import { basename } from "node:path";
import type { DetectContext, FormatAdapter, WriteOptions } from "../adapter.js";
import { stringMetadata } from "../metadata.js";

/**
 * ONNX: detected by structure (a ModelProto's top-level fields; ONNX has no
 * magic), opened header-only with external data resolved beside the model.
 * Same-format convert keeps the whole model (external data inlined, or in
 * `OUT.data` when it does not fit in 2 GiB); other formats get the
 * initializers as a node-less graph with the string metadata as
 * metadata_props (large tensor maps likewise with `OUT.data`). No pickles,
 * so `scan` is always safe.
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

  // outPath is a temporary name beside the final one; a data file is named after the final one.
  async reencode(source: ByteSource, path: string, outPath: string, options: WriteOptions): Promise<void> {
    const external = new ExternalDataFile(`${basename(options.finalPath)}.data`);
    const bytes = await reencodeOnnx(source, onnxFileOptions(path), { externalData: external, externalOnlyWhenTooLarge: true });
    writeOnnxParts(outPath, [bytes], external);
  },

  async write(input: TensorMap, outPath: string, options: WriteOptions): Promise<void> {
    const externalData = needsExternalData(input) ? new ExternalDataFile(`${basename(options.finalPath)}.data`) : undefined;
    await writeOnnxFile(outPath, input, { metadata: stringMetadata(input), externalData });
  },
};
