import { stFail } from "./errors.js";
import { type SafetensorsDType, dtypeBits } from "./dtypes.js";

/**
 * Per-dimension indexers, after the reference `TensorIndexer`:
 *  - a number selects one index and drops the dimension (`Select`);
 *  - `[start, stop]` keeps [start, stop) (`Narrow`); null/undefined ends are open;
 *  - `null` keeps the whole dimension.
 * Dimensions without an indexer are kept whole.
 */
export type SliceIndex = number | null | readonly [start?: number | null, stop?: number | null];

export interface SlicePlan {
  /** [begin, end) byte ranges into the tensor's own data, in C order, adjacent ranges merged. */
  readonly ranges: Array<[number, number]>;
  /** Shape of the result (selected dimensions dropped). */
  readonly shape: number[];
  /** Total bytes of the result. */
  readonly byteLength: number;
}

function checkIndex(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) stFail("InvalidArgument", `slice ${what} must be a non-negative integer, got ${v}`);
}

/**
 * The byte ranges a slice reads, computed like the reference
 * `SliceIterator`: the trailing dimensions taken whole form one contiguous
 * block; the innermost partial dimension gives one range per combination of
 * the outer indices. Works in bits so sub-byte dtypes (F4) report
 * `MisalignedSlice` like the reference instead of reading half bytes.
 */
export function planSlice(dtype: SafetensorsDType, shape: readonly number[], indexers: readonly SliceIndex[]): SlicePlan {
  const rank = shape.length;
  if (indexers.length > rank) stFail("TooManySlices", `${indexers.length} indexers for a tensor of rank ${rank}`);
  const lo = new Array<number>(rank);
  const hi = new Array<number>(rank);
  const outShape: number[] = [];
  for (let d = 0; d < rank; d++) {
    const size = shape[d];
    const ix = d < indexers.length ? indexers[d] : null;
    if (typeof ix === "number") {
      checkIndex(ix, "index");
      if (ix >= size) stFail("SliceOutOfRange", `dimension ${d}: index ${ix} is out of range for size ${size} (dim_index ${d}, asked ${ix}, dim_size ${size})`);
      lo[d] = ix;
      hi[d] = ix + 1;
      continue;
    }
    const start = ix?.[0] ?? 0;
    const stop = ix?.[1] ?? size;
    checkIndex(start, "start");
    checkIndex(stop, "stop");
    if (stop > size) stFail("SliceOutOfRange", `dimension ${d}: stop ${stop} is past size ${size} (dim_index ${d}, asked ${stop - 1}, dim_size ${size})`);
    if (start > stop) stFail("SliceOutOfRange", `dimension ${d}: start ${start} is after stop ${stop} (dim_index ${d}, asked ${start}, dim_size ${size})`);
    lo[d] = start;
    hi[d] = stop;
    outShape.push(stop - start);
  }
  const bits = dtypeBits(dtype);
  // Contiguous block: trailing dimensions taken whole.
  let j = rank;
  let block = 1;
  while (j > 0 && lo[j - 1] === 0 && hi[j - 1] === shape[j - 1]) {
    block *= shape[j - 1];
    j--;
  }
  const ranges: Array<[number, number]> = [];
  let total = 0;
  const push = (beginEl: number, countEl: number): void => {
    if (countEl === 0) return;
    const b0 = beginEl * bits;
    const b1 = (beginEl + countEl) * bits;
    if (b0 % 8 !== 0 || b1 % 8 !== 0) stFail("MisalignedSlice", `slice of ${dtype} data does not start and end on byte boundaries`);
    const begin = b0 / 8;
    const end = b1 / 8;
    total += end - begin;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === begin) last[1] = end;
    else ranges.push([begin, end]);
  };
  if (j === 0) {
    push(0, block);
    return { ranges, shape: outShape, byteLength: total };
  }
  // strides (elements) of the outer dimensions 0..j-1
  const strides = new Array<number>(j);
  let s = block;
  for (let d = j - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const inner = j - 1;
  const chunk = (hi[inner] - lo[inner]) * block;
  for (let d = 0; d < j; d++) if (hi[d] === lo[d]) return { ranges, shape: outShape, byteLength: 0 };
  const idx = lo.slice(0, inner);
  for (;;) {
    let base = lo[inner] * strides[inner];
    for (let d = 0; d < inner; d++) base += idx[d] * strides[d];
    push(base, chunk);
    // odometer over the outer dimensions
    let d = inner - 1;
    while (d >= 0) {
      idx[d]++;
      if (idx[d] < hi[d]) break;
      idx[d] = lo[d];
      d--;
    }
    if (d < 0) break;
  }
  return { ranges, shape: outShape, byteLength: total };
}
