import type { FilterContext } from "./registry.js";

/**
 * Shuffle filter (id 2): byte k of every element was grouped together.
 * Undo it into a new buffer; a trailing partial element is left as is
 * (libhdf5 H5Z__filter_shuffle).
 */
export function shuffleDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const es = ctx.clientData[0] ?? ctx.elementSize;
  if (es <= 1 || input.length < es) return input;
  const n = Math.floor(input.length / es);
  const out = new Uint8Array(input.length);
  unshuffle(input, out, n, es);
  if (n * es < input.length) out.set(input.subarray(n * es), n * es);
  return out;
}

export function unshuffle(src: Uint8Array, dst: Uint8Array, n: number, es: number): void {
  if (es === 4) {
    const b1 = n;
    const b2 = 2 * n;
    const b3 = 3 * n;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      dst[o] = src[i];
      dst[o + 1] = src[b1 + i];
      dst[o + 2] = src[b2 + i];
      dst[o + 3] = src[b3 + i];
    }
    return;
  }
  for (let b = 0; b < es; b++) {
    const base = b * n;
    for (let i = 0, o = b; i < n; i++, o += es) dst[o] = src[base + i];
  }
}
