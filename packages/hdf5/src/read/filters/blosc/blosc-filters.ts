import { fail } from "@codec/core";
import { bitUnshuffle, byteUnshuffle } from "./blosc-shuffle.js";
import { type BloscHeader, FLAG_BITSHUFFLE, FLAG_DELTA, FLAG_SHUFFLE } from "./blosc-header.js";

/**
 * The per-block filters a chunk's decompressed streams still carry, in
 * the order they must be undone.
 *
 * Blosc 1 (16-byte header): byte shuffle when flags bit 0 is set and the
 * type is wider than a byte, else bit shuffle when bit 2 is set and the
 * block holds at least one element (c-blosc blosc.c blosc_d).
 *
 * Blosc2: the six filter slots of the extended header run 0..5 when
 * compressing, so 5..0 when decompressing (c-blosc2 blosc2.c
 * pipeline_backward); codes 0 none, 1 shuffle (meta = extra rounds),
 * 2 bitshuffle, 3 delta, 4 truncate precision (lossy, nothing to undo).
 * A Blosc2 chunk with a 16-byte header maps its flags to the last slot
 * (and delta, bit 3, to the one before).
 */

export const FilterCode = { None: 0, Shuffle: 1, BitShuffle: 2, Delta: 3, TruncPrec: 4 } as const;

export interface BlockFilter {
  readonly code: number;
  readonly meta: number;
}

const FILTER_NAMES = ["none", "shuffle", "bitshuffle", "delta", "trunc_prec"];

export function blockFilters(h: BloscHeader, format: string, base: number): BlockFilter[] {
  const out: BlockFilter[] = [];
  if (h.filters && h.filtersMeta) {
    for (let i = h.filters.length - 1; i >= 0; i--) {
      const code = h.filters[i];
      if (code === FilterCode.None || code === FilterCode.TruncPrec) continue;
      if (code > FilterCode.TruncPrec) fail("UNSUPPORTED", format, `Blosc2 user-defined filter ${code} is not supported`, { offset: base + 16 + i });
      out.push({ code, meta: h.filtersMeta[i] });
    }
    return out;
  }
  if (h.version <= 2) {
    if (h.flags & FLAG_SHUFFLE) out.push({ code: FilterCode.Shuffle, meta: 0 });
    else if (h.flags & FLAG_BITSHUFFLE) out.push({ code: FilterCode.BitShuffle, meta: 0 });
    return out;
  }
  if (h.flags & FLAG_SHUFFLE) out.push({ code: FilterCode.Shuffle, meta: 0 });
  if (h.flags & FLAG_BITSHUFFLE) out.push({ code: FilterCode.BitShuffle, meta: 0 });
  if (h.flags & FLAG_DELTA) out.push({ code: FilterCode.Delta, meta: 0 });
  return out;
}

export function filterName(code: number): string {
  return FILTER_NAMES[code] ?? `filter ${code}`;
}

/**
 * Undo the delta filter in place on block `blk` (at `offset` in the chunk
 * output `chunk`; c-blosc2 delta.c delta_decoder). Elements are XORed in
 * units of the type size when it is 1, 2, 4 or 8, else 8 bytes when it is
 * a multiple of 8, else single bytes. The first block was coded against
 * its own previous element, every other block against the first block.
 */
export function deltaDecode(chunk: Uint8Array, offset: number, size: number, typesize: number): void {
  const unit = typesize === 1 || typesize === 2 || typesize === 4 || typesize === 8 ? typesize : typesize % 8 === 0 ? 8 : 1;
  const end = Math.floor(size / unit) * unit;
  if (offset === 0) {
    for (let k = unit; k < end; k++) chunk[k] ^= chunk[k - unit];
  } else {
    for (let k = 0; k < end; k++) chunk[offset + k] ^= chunk[k];
  }
}

/**
 * Undo `filters` on one block: `src` holds the decompressed streams
 * (bsize bytes); the result lands in `chunk` at `offset`. `tmp` is a
 * scratch buffer of at least bsize bytes.
 */
export function undoBlockFilters(
  filters: readonly BlockFilter[],
  h: BloscHeader,
  src: Uint8Array,
  tmp: Uint8Array,
  chunk: Uint8Array,
  offset: number,
  bsize: number,
): void {
  const dest = chunk.subarray(offset, offset + bsize);
  let cur = src.subarray(0, bsize);
  let spare = tmp.subarray(0, bsize);
  const typesize = h.typesize;
  for (const f of filters) {
    if (f.code === FilterCode.Delta) {
      if (cur !== dest) dest.set(cur);
      deltaDecode(chunk, offset, bsize, typesize);
      if (cur === dest) continue;
      spare = cur;
      cur = dest;
      continue;
    }
    const rounds = f.code === FilterCode.Shuffle ? f.meta + 1 : 1;
    for (let r = 0; r < rounds; r++) {
      // Write wherever `cur` is not; the spare is never `dest` while `cur` is.
      const out = cur === dest ? spare : dest;
      if (f.code === FilterCode.Shuffle) {
        if (h.version <= 2 && typesize <= 1) continue;
        byteUnshuffle(cur, out, typesize, bsize);
      } else {
        if (h.version <= 2 && bsize < typesize) continue;
        bitUnshuffle(cur, out, typesize, bsize, h.version);
      }
      spare = cur;
      cur = out;
    }
  }
  if (cur !== dest) dest.set(cur);
}
