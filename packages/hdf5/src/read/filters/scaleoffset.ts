import { fail } from "@codec/core";
import { FORMAT } from "../context.js";
import { BitReader } from "./bit-stream.js";
import type { FilterContext } from "./registry.js";

/** Client data slots of the scale-offset filter (libhdf5 H5Zscaleoffset.c H5Z_SCALEOFFSET_PARM_*). */
const SCALETYPE = 0;
const SCALEFACTOR = 1;
const NELMTS = 2;
const CLASS = 3;
const SIZE = 4;
const SIGN = 5;
const ORDER = 6;
const FILAVAIL = 7;
const FILVAL = 8;
/** Bytes before the packed values: minbits (4, LE), size of minval (1), minval (LE, up to 16). */
const HEADER = 21;

/**
 * Scale-offset filter (id 6). Integers: each value was stored as
 * `value - min` in `minbits` bits (all ones = the fill value when one is
 * defined). Floats (D-scaling): as round(value * 10^D - min * 10^D); the
 * reader computes int / 10^D + min in the type's own precision, as
 * libhdf5 does. Values are packed MSB-first after a 21-byte header.
 */
export function scaleOffsetDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const cd = ctx.clientData;
  const bad = (why: string): never => fail("CORRUPT", FORMAT, `scale-offset data of dataset ${ctx.dataset} is invalid (${why})`);
  if (cd.length < FILVAL) bad("too few client data values");
  const size = cd[SIZE];
  const isFloat = cd[CLASS] === 1;
  const signed = cd[SIGN] === 1;
  const be = cd[ORDER] === 1;
  const nelmts = cd[NELMTS];
  const scaleType = cd[SCALETYPE];
  const factor = cd[SCALEFACTOR] | 0;
  if (![1, 2, 4, 8].includes(size) || (isFloat && size !== 4 && size !== 8)) bad(`element size ${size}`);
  if (isFloat && scaleType !== 0) fail("UNSUPPORTED", FORMAT, `scale-offset E-scaling in dataset ${ctx.dataset}`);
  // Integers with a full-width minbits parameter were stored unprocessed.
  if (!isFloat && factor === size * 8) return input;
  const total = nelmts * size;
  if (!Number.isSafeInteger(total) || total > ctx.chunkBytes) bad(`${nelmts} elements exceed the chunk`);
  if (input.length < HEADER) bad("missing header");
  const minbits = (input[0] | (input[1] << 8) | (input[2] << 16) | (input[3] << 24)) >>> 0;
  const minvalSize = Math.min(input[4], 8);
  let minval = 0n;
  for (let i = 0; i < minvalSize; i++) minval |= BigInt(input[5 + i]) << BigInt(8 * i);
  if (minbits > size * 8) bad(`minbits ${minbits}`);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const put = (i: number, v: bigint) => {
    let u = BigInt.asUintN(size * 8, v);
    for (let k = 0; k < size; k++) {
      out[i * size + (be ? size - 1 - k : k)] = Number(u & 0xffn);
      u >>= 8n;
    }
  };
  if (minbits === size * 8) {
    // Stored verbatim (in memory order, little-endian here) after the header.
    if (input.length < HEADER + total) bad("truncated");
    out.set(input.subarray(HEADER, HEADER + total));
    if (be) for (let i = 0; i < nelmts; i++) out.subarray(i * size, (i + 1) * size).reverse();
    return out;
  }
  const bits = new BitReader(input, HEADER);
  if (minbits > 0 && !bits.has(minbits * nelmts)) bad("truncated");
  const fillDefined = cd[FILAVAIL] === 1;
  let fill = 0n;
  if (fillDefined) {
    for (let k = 0; k < size; k++) {
      const slot = cd[FILVAL + (k >> 2)] ?? 0;
      fill |= BigInt((slot >>> ((k & 3) * 8)) & 0xff) << BigInt(8 * k);
    }
  }
  const allOnes = minbits > 0 ? (1n << BigInt(minbits)) - 1n : -1n;
  const raw = (): bigint => (minbits > 0 ? bits.readBig(minbits) : 0n);
  if (!isFloat) {
    const smin = signed ? BigInt.asIntN(64, minval) : minval;
    for (let i = 0; i < nelmts; i++) {
      const v = raw();
      put(i, fillDefined && v === allOnes ? fill : v + smin);
    }
    return out;
  }
  // Float D-scaling: minval holds the minimum's bit pattern.
  const mb = new DataView(new ArrayBuffer(8));
  mb.setBigUint64(0, minval, true);
  const scratch = new DataView(new ArrayBuffer(8));
  if (size === 4) {
    const min = mb.getFloat32(0, true);
    const p = Math.fround(10 ** factor);
    scratch.setUint32(0, Number(fill & 0xffffffffn), true);
    const fillF = scratch.getFloat32(0, true);
    for (let i = 0; i < nelmts; i++) {
      const v = raw();
      const f = fillDefined && v === allOnes ? fillF : Math.fround(Math.fround(Math.fround(Number(BigInt.asIntN(32, v))) / p) + min);
      dv.setFloat32(i * 4, f, !be);
    }
    return out;
  }
  const min = mb.getFloat64(0, true);
  const p = 10 ** factor;
  scratch.setBigUint64(0, fill, true);
  const fillD = scratch.getFloat64(0, true);
  for (let i = 0; i < nelmts; i++) {
    const v = raw();
    dv.setFloat64(i * 8, fillDefined && v === allOnes ? fillD : Number(BigInt.asIntN(64, v)) / p + min, !be);
  }
  return out;
}
