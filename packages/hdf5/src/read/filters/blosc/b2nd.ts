import { fail } from "@codec/core";
import { MsgpackCursor } from "./msgpack-cursor.js";

/**
 * B2ND (formerly Caterva) n-dimensional arrays on a Blosc2 super-chunk
 * (c-blosc2 README_B2ND_METALAYER.rst): the "b2nd" (or "caterva")
 * metalayer is msgpack [version, ndim, shape (int64s), chunkshape
 * (int32s), blockshape (int32s), dtype format, dtype]. The array is cut
 * into chunks of `chunkshape`, one super-chunk chunk each in C order of
 * the chunk grid; a chunk is padded to whole blocks ("extended chunk
 * shape") and holds its blocks in C order of the block grid, each block
 * C-contiguous. hdf5-blosc2 writes one such array per HDF5 chunk with
 * shape = chunkshape = the HDF5 chunk dimensions.
 */

/** b2nd.h B2ND_MAX_DIM. */
const MAX_DIM = 16;

export interface B2ndShape {
  readonly shape: readonly number[];
  readonly chunkshape: readonly number[];
  readonly blockshape: readonly number[];
}

export function parseB2ndMeta(content: Uint8Array, format: string): B2ndShape {
  const c = new MsgpackCursor(content, content.length, format, 0);
  const n = c.array("b2nd metalayer");
  if (n < 5) fail("CORRUPT", format, `b2nd metalayer has ${n} fields`);
  c.int("b2nd version");
  const ndim = c.int("b2nd ndim");
  if (ndim < 1 || ndim > MAX_DIM) fail("UNSUPPORTED", format, `b2nd array of ${ndim} dimensions`);
  const dims = (what: string, min: number): number[] => {
    const k = c.array(what);
    if (k !== ndim) fail("CORRUPT", format, `b2nd ${what} has ${k} entries for ${ndim} dimensions`);
    const v: number[] = [];
    for (let i = 0; i < k; i++) {
      const x = c.int(what);
      if (x < min || x > 0x7fffffff) fail("CORRUPT", format, `b2nd ${what}[${i}] = ${x} is invalid`);
      v.push(x);
    }
    return v;
  };
  const shape = dims("shape", 0);
  const chunkshape = dims("chunkshape", 1);
  const blockshape = dims("blockshape", 1);
  for (let i = 0; i < ndim; i++) {
    if (blockshape[i] > chunkshape[i]) fail("CORRUPT", format, `b2nd blockshape[${i}] ${blockshape[i]} exceeds chunkshape ${chunkshape[i]}`);
  }
  return { shape, chunkshape, blockshape };
}

const prod = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

/** Bytes the super-chunk of a b2nd array holds: every chunk padded to whole blocks. */
export function b2ndStoredBytes(s: B2ndShape, typesize: number): number {
  const nd = s.shape.length;
  let chunks = 1;
  let ext = 1;
  for (let d = 0; d < nd; d++) {
    chunks *= Math.ceil(s.shape[d] / s.chunkshape[d]);
    ext *= Math.ceil(s.chunkshape[d] / s.blockshape[d]) * s.blockshape[d];
  }
  return chunks * ext * typesize;
}

/** Reassemble the C-ordered array from the super-chunk's bytes (`data`, b2ndStoredBytes long). */
export function b2ndToC(data: Uint8Array, typesize: number, s: B2ndShape, format: string): Uint8Array {
  const { shape, chunkshape, blockshape } = s;
  const nd = shape.length;
  if (data.length !== b2ndStoredBytes(s, typesize)) fail("CORRUPT", format, `b2nd array needs ${b2ndStoredBytes(s, typesize)} stored bytes, the frame has ${data.length}`);
  const out = new Uint8Array(prod(shape) * typesize);
  if (out.length === 0) return out;
  const ext = chunkshape.map((c, d) => Math.ceil(c / blockshape[d]) * blockshape[d]);
  const chunkGrid = shape.map((n, d) => Math.ceil(n / chunkshape[d]));
  const blockGrid = ext.map((e, d) => e / blockshape[d]);
  const blockBytes = prod(blockshape) * typesize;
  const chunkBytes = prod(ext) * typesize;
  // C-order strides in elements for the output and inside one block.
  const outStride = new Array<number>(nd);
  const blkStride = new Array<number>(nd);
  outStride[nd - 1] = 1;
  blkStride[nd - 1] = 1;
  for (let d = nd - 2; d >= 0; d--) {
    outStride[d] = outStride[d + 1] * shape[d + 1];
    blkStride[d] = blkStride[d + 1] * blockshape[d + 1];
  }
  const cc = new Array<number>(nd).fill(0);
  const bc = new Array<number>(nd).fill(0);
  const origin = new Array<number>(nd).fill(0);
  const lim = new Array<number>(nd).fill(0);
  const r = new Array<number>(nd).fill(0);
  const nchunks = prod(chunkGrid);
  const nblocks = prod(blockGrid);
  for (let ci = 0; ci < nchunks; ci++) {
    for (let bi = 0; bi < nblocks; bi++) {
      let empty = false;
      for (let d = 0; d < nd; d++) {
        const inChunk = bc[d] * blockshape[d];
        origin[d] = cc[d] * chunkshape[d] + inChunk;
        lim[d] = Math.min(blockshape[d], chunkshape[d] - inChunk, shape[d] - origin[d]);
        if (lim[d] <= 0) empty = true;
      }
      if (!empty) {
        const src0 = ci * chunkBytes + bi * blockBytes;
        const rowBytes = lim[nd - 1] * typesize;
        r.fill(0);
        for (;;) {
          let so = 0;
          let oo = 0;
          for (let d = 0; d < nd; d++) {
            so += r[d] * blkStride[d];
            oo += (origin[d] + r[d]) * outStride[d];
          }
          const s0 = src0 + so * typesize;
          out.set(data.subarray(s0, s0 + rowBytes), oo * typesize);
          // Next row: advance dimensions nd-2 .. 0.
          let d = nd - 2;
          while (d >= 0) {
            if (++r[d] < lim[d]) break;
            r[d] = 0;
            d--;
          }
          if (d < 0) break;
        }
      }
      increment(bc, blockGrid);
    }
    increment(cc, chunkGrid);
  }
  return out;
}

/** C-order odometer step over `extent`. */
function increment(idx: number[], extent: readonly number[]): void {
  for (let d = idx.length - 1; d >= 0; d--) {
    if (++idx[d] < extent[d]) return;
    idx[d] = 0;
  }
}
