import { fail } from "@codec/core";
import { FORMAT } from "../context.js";
import { inDataset } from "./blosc.js";
import { b2ndStoredBytes, b2ndToC, parseB2ndMeta } from "./blosc/b2nd.js";
import { decodeBloscChunk } from "./blosc/blosc-chunk.js";
import { decodeBlosc2Frame, looksLikeFrame } from "./blosc/blosc2-frame.js";
import { filterOutputBound } from "./output-bound.js";
import type { FilterContext } from "./registry.js";

/**
 * Blosc2 filter (id 32026; HDFGroup/hdf5_plugins BLOSC2/src/H5Zblosc2.c,
 * the same layout as PyTables' hdf5-blosc2). Client data: [filter
 * version, block size, type size, chunk bytes, clevel, shuffle,
 * compressor code, ndim, chunk dims...]. Each HDF5 chunk is a Blosc2
 * contiguous frame; with two or more dimensions it carries a b2nd
 * metalayer and its data is stored block by block (b2nd.ts). A bare
 * Blosc2 chunk is accepted too.
 */
export function blosc2Decode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  return inDataset(ctx, "blosc2", () => {
    // The output may exceed the chunk by what earlier filters added (filterOutputBound).
    const bound = filterOutputBound(ctx);
    if (!looksLikeFrame(input)) return decodeBloscChunk(input, bound, FORMAT);
    // b2nd pads chunks to whole blocks: allow up to 2x per dimension of padding.
    const ndim = ctx.clientData[7] ?? 0;
    const limit = ndim >= 2 ? bound * 2 ** Math.min(ndim, 8) : bound;
    const frame = decodeBlosc2Frame(input, limit, FORMAT);
    const meta = frame.metalayers.get("b2nd") ?? frame.metalayers.get("caterva");
    if (!meta) {
      if (frame.data.length > bound) fail("CORRUPT", FORMAT, `frame holds ${frame.data.length} bytes, the chunk ${ctx.chunkBytes}`);
      return frame.data;
    }
    const shape = parseB2ndMeta(meta, FORMAT);
    const items = shape.shape.reduce((a, b) => a * b, 1);
    if (items * frame.typesize > bound) fail("CORRUPT", FORMAT, `b2nd array of ${items} items is larger than the chunk`);
    if (b2ndStoredBytes(shape, frame.typesize) === frame.data.length && shape.blockshape.every((b, d) => b === shape.chunkshape[d]) && shape.chunkshape.every((c, d) => c === shape.shape[d])) {
      return frame.data;
    }
    return b2ndToC(frame.data, frame.typesize, shape, FORMAT);
  });
}
