import { writeFileSync } from "node:fs";
import type { ByteSource, TensorMap } from "@codec/core";
import { detectHdf5InSource, isKerasHdf5, openHdf5, openKeras, reencodeHdf5, withoutStringTensors, writeTensorMapAsHdf5 } from "@codec/hdf5";
import type { DetectContext, FormatAdapter } from "../adapter.js";
import { stringMetadata } from "../metadata.js";

/**
 * HDF5 files (`.h5`, `.hdf5`, netCDF-4, ...): the signature at 0, 512,
 * 1024, ... (user blocks). A file that carries Keras' attributes or weights
 * layout opens as format "keras" (DESIGN.md section 6); every other one as
 * "hdf5". No pickles inside, so `scan` is always safe (the CLI's default).
 */
export const hdf5Adapter: FormatAdapter = {
  format: "hdf5",
  outputExtensions: ["h5", "hdf5", "hdf", "he5"],

  detect(ctx: DetectContext): Promise<number> {
    // Past the sniffed head too: a user block of 4 KiB or more puts the signature beyond it.
    return detectHdf5InSource(ctx.head, ctx.source);
  },

  async open(source: ByteSource): Promise<TensorMap> {
    const map = await openHdf5(source);
    // The HDF5 map's close() would close the shared source, which the CLI owns.
    return isKerasHdf5(map.file) ? openKeras(source) : map;
  },

  forTarget(input: TensorMap, targetFormat: string): TensorMap {
    // String datasets are listed (dtype "string") but are not tensors a flat format can hold:
    // they stay behind, the numeric datasets are carried.
    return targetFormat === "hdf5" || targetFormat === "keras" ? input : withoutStringTensors(input);
  },

  async reencode(source: ByteSource, _path: string, outPath: string): Promise<void> {
    // Groups, attributes, datatypes, chunking and filters are kept (Keras files included).
    writeFileSync(outPath, await reencodeHdf5(source));
  },

  async write(input: TensorMap, outPath: string): Promise<void> {
    // Tensor names with '/' become groups; string metadata becomes root attributes.
    const carried: TensorMap = {
      format: input.format,
      metadata: stringMetadata(input),
      names: () => input.names(),
      info: (name) => input.info(name),
      get: (name) => input.get(name),
    };
    writeFileSync(outPath, await writeTensorMapAsHdf5(carried));
  },
};
