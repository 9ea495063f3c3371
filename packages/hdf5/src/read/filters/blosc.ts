import { fail, isCodecError } from "@codec/core";
import { FORMAT } from "../context.js";
import { decodeBloscChunk } from "./blosc/blosc-chunk.js";
import { filterOutputBound } from "./output-bound.js";
import type { FilterContext } from "./registry.js";

/**
 * Blosc filter (id 32001, hdf5-blosc's blosc_filter.c). Client data:
 * [filter revision, blosc version, type size, chunk bytes, clevel,
 * shuffle, compressor code]; only the last four matter when compressing.
 * Each HDF5 chunk holds one Blosc chunk whose own header says how to
 * decode it, so decoding needs only the bytes (the filter calls
 * blosc_decompress on a buffer of the header's nbytes). The output may
 * exceed the chunk by what earlier filters added (filterOutputBound).
 */
export function bloscDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  return inDataset(ctx, "blosc", () => decodeBloscChunk(input, filterOutputBound(ctx), FORMAT));
}

/** Re-throw a CodecError from a Blosc decoder with the dataset's name in the message. */
export function inDataset(ctx: FilterContext, filter: string, fn: () => Uint8Array): Uint8Array {
  try {
    return fn();
  } catch (e) {
    if (!isCodecError(e)) throw e;
    return fail(e.code, FORMAT, `${filter} filter in dataset ${ctx.dataset}: ${e.message.replace(/^hdf5: /, "")}`, { cause: e });
  }
}
