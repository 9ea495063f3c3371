/** Where one chunk's (possibly filtered) bytes are (spec IV.A.2.i chunk indexes). */
export interface ChunkLocation {
  readonly address: number;
  /** Stored size in bytes (after filters). */
  readonly size: number;
  /** Bit i set: filter i of the pipeline was skipped for this chunk. */
  readonly filterMask: number;
}

/** Finds chunks by their scaled coordinates (chunk offset / chunk dims per dimension). */
export interface ChunkLookup {
  get(scaled: readonly number[]): ChunkLocation | undefined;
}

/** Linear index of scaled coordinates over a grid, C order (libhdf5 H5VM_array_offset_pre). */
export function linearIndex(scaled: readonly number[], grid: readonly number[]): number {
  let idx = 0;
  for (let d = 0; d < grid.length; d++) idx = idx * grid[d] + scaled[d];
  return idx;
}

/** Chunks per dimension: ceil(dims / chunk dims). */
export function chunkGrid(dims: readonly number[], chunk: readonly number[]): number[] {
  return dims.map((n, d) => Math.ceil(n / chunk[d]));
}
