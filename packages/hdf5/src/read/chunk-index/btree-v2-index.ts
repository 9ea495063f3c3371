import { ByteReader, fail } from "@codec/core";
import { openBTreeV2, walkBTreeV2 } from "../btree-v2.js";
import { type Context, FORMAT } from "../context.js";
import { type ChunkLocation, type ChunkLookup, chunkGrid, linearIndex } from "./types.js";

/** v2 B-tree chunk index (layout v4, record types 10 unfiltered / 11 filtered). */
export function btreeV2Lookup(ctx: Context, address: number, dims: readonly number[], chunk: readonly number[], chunkBytes: number): ChunkLookup {
  const tree = openBTreeV2(ctx, address);
  if (tree.type !== 10 && tree.type !== 11) fail("CORRUPT", FORMAT, `chunk index v2 B-tree has record type ${tree.type}`, { offset: ctx.base + address });
  const rank = dims.length;
  const grid = chunkGrid(dims, chunk);
  const map = new Map<number, ChunkLocation>();
  const sizeBytes = tree.recordSize - ctx.offsetSize - 4 - 8 * rank;
  if (tree.type === 11 && (sizeBytes < 1 || sizeBytes > 8)) fail("CORRUPT", FORMAT, "chunk index record size is inconsistent with the dataset rank", { offset: ctx.base + address });
  walkBTreeV2(ctx, tree, (rec, at) => {
    const r = new ByteReader(rec, FORMAT, at);
    const addr = ctx.addrDefined(r, "chunk");
    let size = chunkBytes;
    let filterMask = 0;
    if (tree.type === 11) {
      size = r.uint(sizeBytes);
      filterMask = r.u32();
    }
    const scaled: number[] = [];
    let inside = true;
    for (let d = 0; d < rank; d++) {
      const s = r.u64();
      if (s >= grid[d]) inside = false;
      scaled.push(s);
    }
    if (inside) map.set(linearIndex(scaled, grid), { address: addr, size, filterMask });
  });
  return { get: (scaled) => map.get(linearIndex(scaled, grid)) };
}
