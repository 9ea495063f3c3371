/**
 * Bytes of the chunk-size field in filtered chunk index entries (fixed
 * array, extensible array and v2 B-tree records): libhdf5 computes
 * 1 + (floor(log2(chunk bytes)) + 8) / 8, at most 8 (H5Dfarray.c,
 * H5Dearray.c, H5Dbtree2.c).
 */
export function chunkSizeWidth(chunkBytes: number): number {
  const log2 = chunkBytes > 0 ? Math.floor(Math.log2(chunkBytes)) : 0;
  return Math.min(8, 1 + Math.floor((log2 + 8) / 8));
}
