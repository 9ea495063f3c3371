import { fail, nodeBuiltin } from "@codec/core";
import { zlibSync } from "fflate";
import type { Filter } from "../model.js";

/**
 * The encode side of the three built-in filters h5py uses (spec IV.A.2.l):
 * shuffle (id 2), deflate (id 1) and fletcher32 (id 3), applied to each
 * chunk in pipeline order.
 */

export const FILTER_DEFLATE = 1;
export const FILTER_SHUFFLE = 2;
export const FILTER_FLETCHER32 = 3;

/**
 * Byte shuffle (H5Z shuffle): byte j of element i goes to j * n + i, so the
 * k-th bytes of all elements sit together; trailing bytes that do not form a
 * whole element are copied unchanged.
 */
export function shuffleBytes(src: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) return src;
  const n = Math.floor(src.length / elementSize);
  const out = new Uint8Array(src.length);
  for (let j = 0; j < elementSize; j++) {
    const base = j * n;
    for (let i = 0, s = j; i < n; i++, s += elementSize) out[base + i] = src[s];
  }
  const tail = n * elementSize;
  if (tail < src.length) out.set(src.subarray(tail), tail);
  return out;
}

/**
 * Fletcher-32 as libhdf5 computes it (H5_checksum_fletcher32): 16-bit words
 * read big-endian, sums folded every 360 words, an odd last byte taken as
 * the high byte of a word; the result is (sum2 << 16) | sum1.
 */
export function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  let words = data.length >>> 1;
  let i = 0;
  while (words > 0) {
    let t = Math.min(words, 360);
    words -= t;
    while (t-- > 0) {
      sum1 += (data[i] << 8) | data[i + 1];
      sum2 += sum1;
      i += 2;
    }
    sum1 = (sum1 & 0xffff) + Math.floor(sum1 / 65536);
    sum2 = (sum2 & 0xffff) + Math.floor(sum2 / 65536);
  }
  if (data.length & 1) {
    sum1 += data[i] << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + Math.floor(sum1 / 65536);
    sum2 = (sum2 & 0xffff) + Math.floor(sum2 / 65536);
  }
  sum1 = (sum1 & 0xffff) + Math.floor(sum1 / 65536);
  sum2 = (sum2 & 0xffff) + Math.floor(sum2 / 65536);
  return ((sum2 << 16) | sum1) >>> 0;
}

/** The standard filter entries h5py writes (names and optional flags as libhdf5 stores them). */
export function deflateFilter(level: number): Filter {
  if (!Number.isInteger(level) || level < 0 || level > 9) fail("USAGE", "hdf5", `gzip level must be 0..9, got ${level}`);
  return { id: FILTER_DEFLATE, name: "deflate", optional: true, clientData: [level] };
}

export function shuffleFilter(elementSize: number): Filter {
  return { id: FILTER_SHUFFLE, name: "shuffle", optional: true, clientData: [elementSize] };
}

export const FLETCHER32_FILTER: Filter = { id: FILTER_FLETCHER32, name: "fletcher32", optional: false, clientData: [] };

/**
 * A zlib-format deflate (RFC 1950, what libhdf5's deflate filter stores).
 * The default is Node's zlib when available, else fflate's (portable, pure
 * JS); pass `fflateDeflate` or your own to choose.
 */
export type DeflateFn = (data: Uint8Array, level: number) => Uint8Array;

export const fflateDeflate: DeflateFn = (data, level) =>
  zlibSync(data, { level: Math.min(9, Math.max(0, level)) as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 });

interface NodeZlib {
  deflateSync(data: Uint8Array, options: { level: number }): Uint8Array;
}

/**
 * Node's native zlib when running in Node (>= 20.16 has
 * process.getBuiltinModule, a synchronous lookup that bundlers for browsers
 * never see as an import); undefined elsewhere.
 */
function nodeZlibDeflate(): DeflateFn | undefined {
  const zlib = nodeBuiltin<NodeZlib>("node:zlib");
  if (zlib === undefined || typeof zlib.deflateSync !== "function") return undefined;
  return (data, level) => {
    const out = zlib.deflateSync(data, { level: Math.min(9, Math.max(0, level)) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
}

/** Node's zlib where available (several times faster), fflate everywhere else. */
export const defaultDeflate: DeflateFn = nodeZlibDeflate() ?? fflateDeflate;

/** Whether `applyFilters` can run every filter of the pipeline. */
export function canApplyFilters(filters: readonly Filter[]): boolean {
  return filters.every((f) => f.id === FILTER_DEFLATE || f.id === FILTER_SHUFFLE || f.id === FILTER_FLETCHER32);
}

/** Run one chunk through the pipeline; returns the stored bytes (mask 0: every filter applied). */
export function applyFilters(
  chunk: Uint8Array,
  filters: readonly Filter[],
  elementSize: number,
  where: string,
  deflate: DeflateFn = defaultDeflate,
): Uint8Array {
  let data = chunk;
  for (const f of filters) {
    switch (f.id) {
      case FILTER_SHUFFLE:
        data = shuffleBytes(data, f.clientData[0] ?? elementSize);
        break;
      case FILTER_DEFLATE: {
        data = deflate(data, f.clientData[0] ?? 6);
        break;
      }
      case FILTER_FLETCHER32: {
        const out = new Uint8Array(data.length + 4);
        out.set(data);
        new DataView(out.buffer).setUint32(data.length, fletcher32(data), true);
        data = out;
        break;
      }
      default:
        fail("UNSUPPORTED", "hdf5", `cannot write filter ${f.name ?? "?"} (id ${f.id}) in ${where}`);
    }
  }
  return data;
}
