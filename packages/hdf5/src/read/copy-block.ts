/**
 * Copy an N-d box of `extent` elements from `src` (a C-order array of
 * shape `srcDims`, box starting at `srcStart`) into `dst` (shape `dstDims`,
 * box at `dstStart`). Trailing dimensions that are whole in both arrays
 * are merged so each copy moves the longest contiguous run possible.
 */
export function copyBlock(
  src: Uint8Array, srcDims: readonly number[], srcStart: readonly number[],
  dst: Uint8Array, dstDims: readonly number[], dstStart: readonly number[],
  extent: readonly number[], es: number,
): void {
  const rank = extent.length;
  if (rank === 0) {
    dst.set(src.subarray(0, es), 0);
    return;
  }
  // Merge whole trailing dimensions into the run length.
  let k = rank - 1;
  let run = extent[k] * es;
  while (k > 0 && extent[k] === srcDims[k] && extent[k] === dstDims[k]) {
    k--;
    run *= extent[k];
  }
  // Strides in bytes.
  const sStr = new Array<number>(rank);
  const dStr = new Array<number>(rank);
  let s = es;
  let d = es;
  for (let i = rank - 1; i >= 0; i--) {
    sStr[i] = s;
    dStr[i] = d;
    s *= srcDims[i];
    d *= dstDims[i];
  }
  let sBase = 0;
  let dBase = 0;
  for (let i = 0; i < rank; i++) {
    sBase += srcStart[i] * sStr[i];
    dBase += dstStart[i] * dStr[i];
  }
  if (k === 0) {
    dst.set(src.subarray(sBase, sBase + run), dBase);
    return;
  }
  // Odometer over dimensions [0, k).
  const idx = new Array<number>(k).fill(0);
  for (;;) {
    let so = sBase;
    let dO = dBase;
    for (let i = 0; i < k; i++) {
      so += idx[i] * sStr[i];
      dO += idx[i] * dStr[i];
    }
    dst.set(src.subarray(so, so + run), dO);
    let i = k - 1;
    while (i >= 0) {
      idx[i]++;
      if (idx[i] < extent[i]) break;
      idx[i] = 0;
      i--;
    }
    if (i < 0) return;
  }
}
