import { fail } from "@codec/core";
import { chunkRecords } from "../btree-v1.js";
import { type Context, FORMAT } from "../context.js";
import { type ChunkLocation, type ChunkLookup, chunkGrid, linearIndex } from "./types.js";

/** v1 B-tree chunk index (layout v1-v3): every record is read once and kept in a map. */
export function btreeV1Lookup(ctx: Context, address: number, dims: readonly number[], chunk: readonly number[]): ChunkLookup {
  const grid = chunkGrid(dims, chunk);
  const map = new Map<number, ChunkLocation>();
  for (const rec of chunkRecords(ctx, address, dims.length)) {
    const scaled: number[] = [];
    let inside = true;
    for (let d = 0; d < dims.length; d++) {
      if (rec.offsets[d] % chunk[d] !== 0) fail("CORRUPT", FORMAT, `chunk offset ${rec.offsets[d]} is not a multiple of the chunk size ${chunk[d]}`, { offset: ctx.base + address });
      const s = rec.offsets[d] / chunk[d];
      if (s >= grid[d]) inside = false;
      scaled.push(s);
    }
    if (inside) map.set(linearIndex(scaled, grid), { address: rec.address, size: rec.size, filterMask: rec.filterMask });
  }
  return { get: (scaled) => map.get(linearIndex(scaled, grid)) };
}
