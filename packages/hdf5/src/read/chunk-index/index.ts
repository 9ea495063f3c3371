import { fail } from "@codec/core";
import type { ChunkedLayout } from "../../model.js";
import { type Context, FORMAT } from "../context.js";
import { btreeV1Lookup } from "./btree-v1-index.js";
import { btreeV2Lookup } from "./btree-v2-index.js";
import { extensibleArrayLookup } from "./extensible-array.js";
import { fixedArrayLookup } from "./fixed-array.js";
import { type ChunkLookup, chunkGrid, linearIndex } from "./types.js";

export type { ChunkLocation, ChunkLookup } from "./types.js";

/** Open the chunk index a chunked layout names (spec IV.A.2.i, layout v4 index types). */
export function openChunkIndex(ctx: Context, layout: ChunkedLayout, dims: readonly number[], maxDims: readonly number[], chunkBytes: number, filtered: boolean): ChunkLookup {
  const address = layout.address;
  const chunk = layout.chunkDims;
  if (address === undefined) return { get: () => undefined };
  const fixedMax = maxDims.map((m, d) => (Number.isFinite(m) ? m : dims[d]));
  switch (layout.index) {
    case "btree-v1":
      return btreeV1Lookup(ctx, address, dims, chunk);
    case "single-chunk": {
      const loc = { address, size: layout.singleChunkSize ?? chunkBytes, filterMask: layout.singleChunkFilterMask ?? 0 };
      return { get: (scaled) => (scaled.every((s) => s === 0) ? loc : undefined) };
    }
    case "implicit": {
      const grid = chunkGrid(fixedMax, chunk);
      return { get: (scaled) => ({ address: address + linearIndex(scaled, grid) * chunkBytes, size: chunkBytes, filterMask: 0 }) };
    }
    case "fixed-array":
      return fixedArrayLookup(ctx, address, fixedMax, chunk, chunkBytes, filtered);
    case "extensible-array":
      return extensibleArrayLookup(ctx, address, maxDims, chunk, chunkBytes, filtered);
    case "btree-v2":
      return btreeV2Lookup(ctx, address, dims, chunk, chunkBytes);
    default:
      return fail("UNSUPPORTED", FORMAT, `chunk index ${String(layout.index)}`);
  }
}
