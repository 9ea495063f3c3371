import { writeFileSync } from "node:fs";
import { type ByteSource, type TensorMap, openZip } from "@codec/core";
import { detectKerasArchive, openKeras, reencodeKerasArchive } from "@codec/hdf5";
import type { DetectContext, FormatAdapter } from "../adapter.js";

/**
 * Keras 3 `.keras` archives: a zip of metadata.json, config.json and
 * model.weights.h5. Keras HDF5 files (`.h5`, `.weights.h5`) are HDF5 by
 * content and reach `openKeras` through the hdf5 adapter. Writing a
 * `.keras` needs a model config, which other formats do not carry, so this
 * adapter re-encodes archives but is no cross-format target.
 */
export const kerasAdapter: FormatAdapter = {
  format: "keras",
  outputExtensions: ["keras"],

  async detect(ctx: DetectContext): Promise<number> {
    if (detectKerasArchive(ctx.head) === 0) return 0;
    try {
      const zip = await openZip(ctx.source, { format: "keras" });
      return zip.entry("config.json") && (zip.entry("model.weights.h5") || zip.entry("model.weights.npz")) ? 2 : 0;
    } catch {
      return 0;
    }
  },

  open(source: ByteSource): Promise<TensorMap> {
    return openKeras(source);
  },

  async reencode(source: ByteSource, _path: string, outPath: string): Promise<void> {
    writeFileSync(outPath, await reencodeKerasArchive(source));
  },
};
