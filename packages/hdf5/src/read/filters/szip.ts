import { fail } from "@codec/core";
import { FORMAT } from "../context.js";
import { aecDecode } from "./aec-decode.js";
import type { FilterContext } from "./registry.js";

/** szlib option mask bits (szlib.h) that change decoding. */
const SZ_MSB_OPTION_MASK = 16;
const SZ_NN_OPTION_MASK = 32;

/**
 * Szip filter (id 4). libhdf5 H5Zszip.c stores client data [options mask,
 * pixels per block, bits per pixel, pixels per scanline] and prefixes each
 * filtered chunk with its unfiltered size as a little-endian uint32; the
 * rest is an szlib SZ_BufftoBuffCompress stream. As szlib (and libaec's
 * sz_compat.c) read it: the reference sample interval is one scanline
 * rounded up to whole blocks, each scanline having been padded to that
 * length; 32- and 64-bit pixels were split into byte planes and coded as
 * 8-bit samples; the MSB mask bit sets the sample byte order and NN the
 * predictor. EC/K13/RAW/CHIP do not change the decoding.
 */
export function szipDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const cd = ctx.clientData;
  const bad = (why: string): never => fail("CORRUPT", FORMAT, `szip data in dataset ${ctx.dataset} is invalid (${why})`);
  if (cd.length < 4) bad("fewer than 4 client data values");
  const [mask, ppb, bpp, pps] = cd;
  if (!(ppb >= 1 && ppb <= 256) || !(pps >= 1 && pps <= 1 << 20)) bad(`pixels per block ${ppb}, per scanline ${pps}`);
  if (!((bpp >= 1 && bpp <= 32) || bpp === 64)) bad(`bits per pixel ${bpp}`);
  if (input.length < 4) bad("shorter than its size prefix");
  const size = (input[0] | (input[1] << 8) | (input[2] << 16) | (input[3] << 24)) >>> 0;
  if (size > ctx.chunkBytes) bad(`declared size ${size} exceeds the chunk's ${ctx.chunkBytes} bytes`);
  const deinterleave = bpp === 32 || bpp === 64;
  const bitsPerSample = deinterleave ? 8 : bpp;
  const pixelSize = bitsPerSample > 16 ? 4 : bitsPerSample > 8 ? 2 : 1;
  const rsi = Math.ceil(pps / ppb);
  const padScanline = pps % ppb !== 0;
  let decodedBytes = size;
  let scanlines = 0;
  if (padScanline) {
    scanlines = Math.ceil(Math.floor(size / pixelSize) / pps);
    decodedBytes = rsi * ppb * pixelSize * scanlines;
  }
  let buf = aecDecode(input.subarray(4), { bitsPerSample, blockSize: ppb, rsi, msb: (mask & SZ_MSB_OPTION_MASK) !== 0, preprocess: (mask & SZ_NN_OPTION_MASK) !== 0 }, decodedBytes);
  let n = size;
  if (padScanline) {
    // Drop each scanline's padding up to a whole number of blocks.
    const line = pps * pixelSize;
    const padded = rsi * ppb * pixelSize;
    for (let i = line, j = padded; j < buf.length; i += line, j += padded) buf.copyWithin(i, j, j + line);
    n = Math.min(size, scanlines * line);
    buf = buf.subarray(0, n);
  }
  if (!deinterleave) return n === buf.length ? buf : buf.subarray(0, n);
  // Undo the byte-plane split: plane j holds byte j of every word.
  const ws = bpp / 8;
  const words = Math.floor(n / ws);
  const out = new Uint8Array(n);
  for (let j = 0; j < ws; j++) {
    const base = j * words;
    for (let i = 0, at = j; i < words; i++, at += ws) out[at] = buf[base + i];
  }
  return out;
}
