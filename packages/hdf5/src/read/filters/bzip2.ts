import { bzip2Decompress, fail, isCodecError } from "@codec/core";
import { FORMAT } from "../context.js";
import { filterOutputBound } from "./output-bound.js";
import type { FilterContext } from "./registry.js";

/**
 * HDF5 bzip2 filter (id 307; HDF Group hdf5_plugins BZIP2/H5Zbzip2.c,
 * reverse direction): every stored chunk is one complete bzip2 stream
 * (cd_values[0] is the block size 1..9 used when writing; decoding reads
 * it from the stream header instead). The plugin stops at the end of the
 * first stream; we also accept streams concatenated after it, as bzip2 -d
 * does. Output is bounded by the chunk size (plus the room earlier filters
 * such as fletcher32 may have added).
 */
export function bzip2FilterDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  try {
    return bzip2Decompress(input, filterOutputBound(ctx), FORMAT);
  } catch (e) {
    if (!isCodecError(e)) throw e;
    // Re-say the core message ("hdf5: bzip2: why at offset 0x..") with the dataset; the offset is within the chunk.
    const why = e.message.replace(/^hdf5: (bzip2: )?/, "").replace(/ at offset 0x[0-9a-f]+$/, "");
    fail(e.code, FORMAT, `bzip2 chunk in dataset ${ctx.dataset}: ${why}`, { offset: e.offset, cause: e });
  }
}
