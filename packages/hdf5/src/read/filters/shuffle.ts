import { HOST_LITTLE_ENDIAN } from "@codec/core";
import type { FilterContext } from "./registry.js";

/**
 * Shuffle filter (id 2): byte k of every element was grouped together.
 * Undo it into a new buffer; a trailing partial element is left as is
 * (libhdf5 H5Z__filter_shuffle).
 */
export function shuffleDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const es = ctx.clientData[0] ?? ctx.elementSize;
  if (es <= 1 || input.length < es) return input;
  return unshuffleChunk(input, new Uint8Array(input.length), es);
}

/**
 * The whole inverse into `out` (same length as `src`): the planes of the
 * complete elements, then a trailing partial element copied as is.
 */
export function unshuffleChunk(src: Uint8Array, out: Uint8Array, es: number): Uint8Array {
  const n = Math.floor(src.length / es);
  unshuffle(src, out, n, es);
  if (n * es < src.length) out.set(src.subarray(n * es), n * es);
  return out;
}

/**
 * Interleave `es` byte planes of `n` bytes each (src) into `n` elements
 * (dst). For the common element sizes 2, 4 and 8 the planes are read and
 * the elements written 32 bits at a time (four elements per step), about
 * twice as fast as a byte loop; other sizes, unaligned views and
 * big-endian hosts take the byte loop.
 */
export function unshuffle(src: Uint8Array, dst: Uint8Array, n: number, es: number): void {
  let done = 0;
  if (HOST_LITTLE_ENDIAN && (es === 2 || es === 4 || es === 8) && n >= 4 && src.byteOffset % 4 === 0 && dst.byteOffset % 4 === 0 && n % 4 === 0) {
    const q = n >>> 2; // 32-bit words per plane
    const s = new Uint32Array(src.buffer, src.byteOffset, q * es);
    const d = new Uint32Array(dst.buffer, dst.byteOffset, q * es);
    if (es === 4) unshuffleWords4(s, d, q);
    else if (es === 2) unshuffleWords2(s, d, q);
    else unshuffleWords8(s, d, q);
    done = n;
  }
  if (done === n) return;
  if (es === 4) {
    for (let i = done, o = done * 4; i < n; i++, o += 4) {
      dst[o] = src[i];
      dst[o + 1] = src[n + i];
      dst[o + 2] = src[2 * n + i];
      dst[o + 3] = src[3 * n + i];
    }
    return;
  }
  for (let b = 0; b < es; b++) {
    const base = b * n;
    for (let i = done, o = done * es + b; i < n; i++, o += es) dst[o] = src[base + i];
  }
}

// Each step reads one word (4 consecutive bytes) of every plane and writes
// the 4 elements they make; masks pick byte j of each plane word.
function unshuffleWords4(s: Uint32Array, d: Uint32Array, q: number): void {
  for (let i = 0, o = 0; i < q; i++, o += 4) {
    const a = s[i];
    const b = s[q + i];
    const c = s[2 * q + i];
    const e = s[3 * q + i];
    d[o] = (a & 0xff) | ((b & 0xff) << 8) | ((c & 0xff) << 16) | (e << 24);
    d[o + 1] = ((a >>> 8) & 0xff) | (b & 0xff00) | ((c & 0xff00) << 8) | ((e >>> 8) << 24);
    d[o + 2] = ((a >>> 16) & 0xff) | ((b >>> 8) & 0xff00) | (c & 0xff0000) | ((e >>> 16) << 24);
    d[o + 3] = (a >>> 24) | ((b >>> 16) & 0xff00) | ((c >>> 8) & 0xff0000) | (e & 0xff000000);
  }
}

function unshuffleWords2(s: Uint32Array, d: Uint32Array, q: number): void {
  for (let i = 0, o = 0; i < q; i++, o += 2) {
    const a = s[i];
    const b = s[q + i];
    d[o] = (a & 0xff) | ((b & 0xff) << 8) | ((a & 0xff00) << 8) | ((b & 0xff00) << 16);
    d[o + 1] = ((a >>> 16) & 0xff) | ((b >>> 8) & 0xff00) | ((a >>> 24) << 16) | ((b >>> 24) << 24);
  }
}

function unshuffleWords8(s: Uint32Array, d: Uint32Array, q: number): void {
  for (let i = 0, o = 0; i < q; i++, o += 8) {
    // Low and high halves of each element come from planes 0-3 and 4-7.
    for (let half = 0; half < 2; half++) {
      const p = half * 4 * q + i;
      const a = s[p];
      const b = s[p + q];
      const c = s[p + 2 * q];
      const e = s[p + 3 * q];
      d[o + half] = (a & 0xff) | ((b & 0xff) << 8) | ((c & 0xff) << 16) | (e << 24);
      d[o + 2 + half] = ((a >>> 8) & 0xff) | (b & 0xff00) | ((c & 0xff00) << 8) | ((e >>> 8) << 24);
      d[o + 4 + half] = ((a >>> 16) & 0xff) | ((b >>> 8) & 0xff00) | (c & 0xff0000) | ((e >>> 16) << 24);
      d[o + 6 + half] = (a >>> 24) | ((b >>> 16) & 0xff00) | ((c >>> 8) & 0xff0000) | (e & 0xff000000);
    }
  }
}
