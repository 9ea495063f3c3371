import { fail } from "@codec/core";
import { openChunkIndex } from "./chunk-index/index.js";
import type { ChunkLookup } from "./chunk-index/types.js";
import { type Context, FORMAT } from "./context.js";
import type { DatasetInfo } from "./objects.js";

/**
 * The stored form of single chunks, for lossless copies (`codec convert
 * x.h5 y.h5`): the bytes exactly as the filter pipeline left them and the
 * chunk's filter mask (spec IV.A.2.i chunk indexes, IV.A.2.l filter mask).
 * A copier that keeps the pipeline and the chunk shape can store them
 * unchanged, which is bit-exact for every filter, including those this
 * package only decodes (blosc, lz4, bzip2, bitshuffle, lzf, scaleoffset, ...).
 */
export interface StoredChunkBytes {
  readonly bytes: Uint8Array;
  /** Bit i set: filter i of the pipeline was not applied to these bytes. */
  readonly filterMask: number;
}

/** Looks up stored chunks by chunk coordinates (element offset / chunk dims); undefined when not allocated. */
export type StoredChunkReader = (scaled: readonly number[]) => StoredChunkBytes | undefined;

export function storedChunkReader(ctx: Context, ds: DatasetInfo, path: string): StoredChunkReader {
  const layout = ds.layout;
  if (layout.kind !== "chunked") return fail("USAGE", FORMAT, `dataset ${path} is not chunked`);
  const dims = ds.space.kind === "simple" ? ds.space.dims : [];
  const chunk = layout.chunkDims;
  if (chunk.length !== dims.length) fail("CORRUPT", FORMAT, `chunk rank ${chunk.length} does not match dataset rank ${dims.length} in ${path}`);
  let chunkBytes = ds.type.size;
  for (const c of chunk) {
    if (c === 0) fail("CORRUPT", FORMAT, `chunk dimension 0 in dataset ${path}`);
    chunkBytes *= c;
  }
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes > 0xffffffff) fail("CORRUPT", FORMAT, `chunk of ${chunkBytes} bytes in dataset ${path}`);
  let index: ChunkLookup | undefined;
  // Layout v4 flag bit 0: partial edge chunks are stored without any filter (H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS).
  const rawEdges = ((layout.flags ?? 0) & 1) !== 0;
  const allSkipped = ds.filters.length >= 32 ? 0xffffffff : 2 ** ds.filters.length - 1;
  return (scaled) => {
    index ??= openChunkIndex(ctx, layout, dims, ds.space.maxDims ?? dims, chunkBytes, ds.filters.length > 0);
    const loc = index.get(scaled);
    if (loc === undefined) return undefined;
    const edge = rawEdges && scaled.some((s, d) => (s + 1) * chunk[d] > dims[d]);
    return { bytes: ctx.bytes(loc.address, loc.size, `chunk of dataset ${path}`), filterMask: edge ? allSkipped : loc.filterMask };
  };
}
