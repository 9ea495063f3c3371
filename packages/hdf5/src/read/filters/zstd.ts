import { fail, isCodecError, zstdDecompress } from "@codec/core";
import { FORMAT } from "../context.js";
import { filterOutputBound } from "./output-bound.js";
import type { FilterContext } from "./registry.js";

/**
 * HDF5 Zstandard filter (id 32015; HDF Group hdf5_plugins ZSTD/H5Zzstd.c,
 * reverse direction): every stored chunk is one zstd frame (cd_values[0],
 * the compression level, only matters when writing). The plugin hands the
 * whole chunk to ZSTD_decompress, which also accepts concatenated and
 * skippable frames; so do we. Output is bounded by the chunk size (plus the
 * room earlier filters such as fletcher32 may have added).
 */
export function zstdFilterDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  try {
    return zstdDecompress(input, filterOutputBound(ctx), FORMAT);
  } catch (e) {
    if (!isCodecError(e)) throw e;
    // Re-say the core message with the dataset; the offset is within the chunk.
    const why = e.message.replace(/^hdf5: /, "").replace(/ at offset 0x[0-9a-f]+$/, "");
    fail(e.code, FORMAT, `zstd chunk in dataset ${ctx.dataset}: ${why}`, { offset: e.offset, cause: e });
  }
}
