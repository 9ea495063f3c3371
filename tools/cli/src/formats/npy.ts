import { type ByteSource, type TensorMap, fail } from "@codec/core";
import { NPY_TENSOR_NAME, detectNpy, encodeNpyParts, npyWritable, openNpy } from "@codec/npy";
import type { DetectContext, FormatAdapter } from "../adapter.js";
import { FileSink } from "../file-sink.js";
import { npyHoldsPickle, objectArrayScan, scanObjectArray } from "./npy-scan.js";

/**
 * NumPy .npy: one array, listed as "array" (@codec/npy NPY_TENSOR_NAME).
 * Detected by the \x93NUMPY magic. Writing needs exactly one tensor.
 */
export const npyAdapter: FormatAdapter = {
  format: "npy",
  outputExtensions: ["npy"],

  detect(ctx: DetectContext): number {
    return detectNpy(ctx.head);
  },

  open(source: ByteSource): Promise<TensorMap> {
    // A record, string or datetime array is a valid .npy without a tensor (DESIGN.md section 5): listed empty.
    return openNpy(source, { allowNonTensor: true });
  },

  async reencode(source: ByteSource, _path: string, outPath: string): Promise<void> {
    // Values are kept exactly; the layout becomes numpy.save's (C order, little-endian).
    const map = await openNpy(source, { allowNonTensor: true });
    if (map.names().length === 0) {
      // No tensor to re-encode (records, strings, datetimes): the file is kept as it is, byte for byte.
      writeParts(outPath, [await source.read(0, source.byteLength)]);
      return;
    }
    writeParts(outPath, encodeNpyParts(await map.get(NPY_TENSOR_NAME)));
  },

  async scan(source: ByteSource) {
    if (!(await npyHoldsPickle(source))) return objectArrayScan("npy", [], undefined);
    return objectArrayScan("npy", ["array"], scanObjectArray(await source.read(0, source.byteLength), "array"));
  },

  async write(input: TensorMap, outPath: string): Promise<void> {
    const names = input.names();
    if (names.length !== 1) {
      fail("USAGE", "npy", `a .npy file holds exactly one array, the input has ${names.length} tensors (write .npz instead)`);
    }
    const { dtype } = input.info(names[0]);
    if (!npyWritable(dtype)) fail("UNSUPPORTED", "npy", `tensor '${names[0]}' has dtype ${dtype}, which NumPy cannot store`);
    const tensor = await input.get(names[0]);
    writeParts(outPath, encodeNpyParts(tensor));
  },
};

function writeParts(path: string, parts: Uint8Array[]): void {
  const sink = new FileSink(path);
  try {
    for (const p of parts) sink.write(p);
  } finally {
    sink.close();
  }
}
