import { fail } from "@codec/core";
import { FORMAT } from "../../context.js";
import { ZfpBitReader } from "./zfp-bitstream.js";
import { Block32, decodeBlock32, revDecodeBlock32 } from "./zfp-block.js";
import { Block64, decodeBlock64, revDecodeBlock64 } from "./zfp-block64.js";
import { decodeFloat32Block, decodeFloat64Block } from "./zfp-float.js";
import { type ZfpHeader, readZfpHeader, zfpScalarBytes } from "./zfp-header.js";

/**
 * zfp_decompress over a whole field (src/template/decompress.c): blocks of
 * 4^d values in raster order (x fastest, then y, z, w), each decoded in
 * full and scattered into the array; blocks at the upper edges are partial
 * and only their first min(4, n - x) ... values are kept. The output is
 * the field's values, x fastest, little-endian.
 */

/** Elements of a field, or -1 when the product is not a safe integer. */
export function zfpFieldElements(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return Number.isSafeInteger(n) ? n : -1;
}

/**
 * Copy the kept part of a decoded block (index x + 4y + 16z + 64w) into
 * the array. Values move as raw 32-bit words (floats through an Int32Array
 * alias), so this loop sees one array type whatever the scalar.
 */
function scatter32(src: Int32Array, dst: Int32Array, base: number, bx: number, by: number, bz: number, bw: number, sy: number, sz: number, sw: number): void {
  for (let w = 0; w < bw; w++)
    for (let z = 0; z < bz; z++)
      for (let y = 0; y < by; y++) {
        const q = 64 * w + 16 * z + 4 * y;
        const p = base + w * sw + z * sz + y * sy;
        for (let x = 0; x < bx; x++) dst[p + x] = src[q + x];
      }
}

/** scatter32 for 8-byte values: (lo, hi) word pairs, from `lo`/`hi` halves of the block. */
function scatter64(hi: Int32Array, lo: Int32Array, dst: Int32Array, base: number, bx: number, by: number, bz: number, bw: number, sy: number, sz: number, sw: number): void {
  for (let w = 0; w < bw; w++)
    for (let z = 0; z < bz; z++)
      for (let y = 0; y < by; y++) {
        const q = 64 * w + 16 * z + 4 * y;
        const p = 2 * (base + w * sw + z * sz + y * sy);
        for (let x = 0; x < bx; x++) {
          dst[p + 2 * x] = lo[q + x];
          dst[p + 2 * x + 1] = hi[q + x];
        }
      }
}

/** Split a block of float64 values (as (lo, hi) word pairs) into halves for scatter64. */
function splitWords(words: Int32Array, hi: Int32Array, lo: Int32Array, size: number): void {
  for (let i = 0; i < size; i++) {
    lo[i] = words[2 * i];
    hi[i] = words[2 * i + 1];
  }
}

/**
 * Decode the blocks of `header`'s field from `r` into `out` (exactly
 * elements * scalar bytes long, 8-byte aligned).
 */
export function decodeZfpField(r: ZfpBitReader, header: ZfpHeader, out: Uint8Array): void {
  const { type, dims, mode } = header;
  const nd = dims.length;
  const nx = dims[0];
  const ny = nd > 1 ? dims[1] : 1;
  const nz = nd > 2 ? dims[2] : 1;
  const nw = nd > 3 ? dims[3] : 1;
  const sy = nx;
  const sz = nx * ny;
  const sw = sz * nz;
  const size = 1 << (2 * nd);
  const buf = out.buffer;
  const off = out.byteOffset;
  const b32 = type === "int32" || type === "float32" ? new Block32() : undefined;
  const b64 = b32 ? undefined : new Block64();
  const f32 = type === "float32" ? new Float32Array(size) : undefined;
  const f64 = type === "float64" ? new Float64Array(size) : undefined;
  const bits32 = f32 ? new Int32Array(f32.buffer) : undefined;
  const bits64 = f64 ? new Int32Array(f64.buffer) : undefined;
  const dst = new Int32Array(buf, off, out.byteLength / 4);
  const split = type === "float64" ? new Block64() : undefined;
  for (let w = 0; w < nw; w += 4)
    for (let z = 0; z < nz; z += 4)
      for (let y = 0; y < ny; y += 4)
        for (let x = 0; x < nx; x += 4) {
          const base = x + y * sy + z * sz + w * sw;
          const bx = Math.min(4, nx - x);
          const by = Math.min(4, ny - y);
          const bz = Math.min(4, nz - z);
          const bw = Math.min(4, nw - w);
          if (f32 && bits32 && b32) {
            decodeFloat32Block(r, mode, nd, b32, f32, bits32);
            scatter32(bits32, dst, base, bx, by, bz, bw, sy, sz, sw);
          } else if (f64 && bits64 && b64 && split) {
            decodeFloat64Block(r, mode, nd, b64, f64, bits64);
            splitWords(bits64, split.ih, split.il, size);
            scatter64(split.ih, split.il, dst, base, bx, by, bz, bw, sy, sz, sw);
          } else if (b32) {
            if (mode.reversible) revDecodeBlock32(r, mode.minbits, mode.maxbits, nd, b32);
            else decodeBlock32(r, mode.minbits, mode.maxbits, mode.maxprec, nd, b32);
            scatter32(b32.iblock, dst, base, bx, by, bz, bw, sy, sz, sw);
          } else if (b64) {
            if (mode.reversible) revDecodeBlock64(r, mode.minbits, mode.maxbits, nd, b64);
            else decodeBlock64(r, mode.minbits, mode.maxbits, mode.maxprec, nd, b64);
            scatter64(b64.ih, b64.il, dst, base, bx, by, bz, bw, sy, sz, sw);
          }
        }
}

export interface ZfpArray {
  readonly header: ZfpHeader;
  /** The values, x fastest (C order with the dims reversed), little-endian. */
  readonly data: Uint8Array;
}

/**
 * A self-describing zfp stream (what zfpy.compress_numpy writes: a full
 * header, then the blocks). `maxBytes` bounds the decoded size.
 */
export function decodeZfpStream(bytes: Uint8Array, maxBytes: number, what = "stream"): ZfpArray {
  const r = new ZfpBitReader(bytes, what);
  const header = readZfpHeader(r);
  const data = allocateField(header, maxBytes, what);
  decodeZfpField(r, header, data);
  return { header, data };
}

/** The output buffer for a field, after checking its size against the limit. */
export function allocateField(header: ZfpHeader, maxBytes: number, what: string): Uint8Array {
  const n = zfpFieldElements(header.dims);
  const bytes = n * zfpScalarBytes(header.type);
  if (n < 0 || bytes > maxBytes)
    fail("CORRUPT", FORMAT, `zfp field of ${what} (${header.dims.join(" x ")} ${header.type}) is larger than the ${maxBytes} bytes it may decode to`);
  return new Uint8Array(bytes);
}
