/**
 * The doubling table of a fractal heap (spec III.G, "Fractal Heap" and
 * libhdf5's H5HFdtable.c) with the creation parameters libhdf5 uses for
 * dense storage: width 4, maximum direct block 64 KiB. Rows 0 and 1 hold
 * blocks of the starting size, each further row doubles. Rows past the last
 * direct row hold indirect blocks, each a smaller doubling table of its own
 * that spans one block of its row. Heap offsets run depth first through
 * this tree, so a heap offset alone names a block slot.
 */

export const FH_TABLE_WIDTH = 4;
export const FH_MAX_DIRECT_SIZE = 65536;

export interface TableGeometry {
  startBlockSize: number;
  /** Rows that hold direct blocks: log2(max direct) - log2(start) + 2. */
  maxDirectRows: number;
  /** Most rows the root indirect block may grow to: heap bits - log2(start * width) + 1 (H5HF__dtable_init). */
  maxRootRows: number;
  /** Usable bytes of a direct block (its size less the block header and checksum). */
  directOverhead: number;
}

export function tableGeometry(startBlockSize: number, maxHeapBits: number, directOverhead: number): TableGeometry {
  const startBits = Math.log2(startBlockSize);
  return {
    startBlockSize,
    maxDirectRows: Math.log2(FH_MAX_DIRECT_SIZE) - startBits + 2,
    maxRootRows: maxHeapBits - (startBits + Math.log2(FH_TABLE_WIDTH)) + 1,
    directOverhead,
  };
}

/** Size of each block in a row (for an indirect row: the heap span of each of its indirect blocks). */
export function rowBlockSize(g: TableGeometry, row: number): number {
  return row === 0 ? g.startBlockSize : g.startBlockSize * 2 ** (row - 1);
}

/** Heap offset of a row's first block, relative to the start of its table. */
export function rowOffset(g: TableGeometry, row: number): number {
  return row === 0 ? 0 : FH_TABLE_WIDTH * g.startBlockSize * 2 ** (row - 1);
}

/** Rows of the indirect blocks in `row` (H5HF__dtable_size_to_rows): the table whose span is one block of the row. */
export function childRows(g: TableGeometry, row: number): number {
  return Math.log2(rowBlockSize(g, row) / (g.startBlockSize * FH_TABLE_WIDTH)) + 1;
}

/**
 * Usable bytes of every direct block slot under one block of `row`, as
 * libhdf5 counts the heap's free space (row_tot_dblock_free): a direct
 * block's size less its overhead; an indirect block's, the sum over the
 * rows of its table.
 */
export function rowTotalFree(g: TableGeometry, row: number): number {
  if (row < g.maxDirectRows) return rowBlockSize(g, row) - g.directOverhead;
  let sum = 0;
  for (let r = 0; r < childRows(g, row); r++) sum += FH_TABLE_WIDTH * rowTotalFree(g, r);
  return sum;
}

/** Where a heap offset falls: the direct block slot (its start and size) and the root row above it. */
export interface SlotLocation {
  /** Heap offset where the direct block slot starts. */
  heapOffset: number;
  size: number;
  /** Row of the root indirect block that contains the slot. */
  rootRow: number;
  /**
   * Heap offsets of the indirect blocks on the way down, outermost first
   * (empty for a slot in one of the root's direct rows), each with its row count.
   */
  path: Array<{ heapOffset: number; rows: number }>;
}

/** The direct block slot containing heap offset `offset` (`offset` below the span of `maxRootRows` rows). */
export function locateSlot(g: TableGeometry, offset: number): SlotLocation {
  let base = 0;
  let rootRow = -1;
  const path: Array<{ heapOffset: number; rows: number }> = [];
  for (;;) {
    let row = 0;
    while (rowOffset(g, row + 1) <= offset - base) row++;
    if (rootRow < 0) rootRow = row;
    const size = rowBlockSize(g, row);
    const start = base + rowOffset(g, row) + Math.floor((offset - base - rowOffset(g, row)) / size) * size;
    if (row < g.maxDirectRows) return { heapOffset: start, size, rootRow, path };
    path.push({ heapOffset: start, rows: childRows(g, row) });
    base = start;
  }
}

/** Entry index of the block or child starting at heap offset `offset` in the table based at `base`. */
export function entryIndex(g: TableGeometry, base: number, offset: number): number {
  let row = 0;
  while (rowOffset(g, row + 1) <= offset - base) row++;
  return row * FH_TABLE_WIDTH + (offset - base - rowOffset(g, row)) / rowBlockSize(g, row);
}
