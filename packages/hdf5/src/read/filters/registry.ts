import { fail } from "@codec/core";
import { FILTER_NAMES } from "../../model.js";
import { FORMAT } from "../context.js";
import { bloscDecode } from "./blosc.js";
import { blosc2Decode } from "./blosc2.js";
import { bitshuffleDecode } from "./bitshuffle.js";
import { bzip2FilterDecode } from "./bzip2.js";
import { deflateDecode } from "./deflate.js";
import { fletcher32Decode } from "./fletcher32.js";
import { lz4FilterDecode } from "./lz4.js";
import { lzfDecode } from "./lzf.js";
import { nbitDecode } from "./nbit.js";
import { scaleOffsetDecode } from "./scaleoffset.js";
import { shuffleDecode } from "./shuffle.js";
import { szipDecode } from "./szip.js";
import { zstdFilterDecode } from "./zstd.js";
import { zfpDecode } from "./zfp.js";

/** What a filter's decode function is told about the chunk it is undoing. */
export interface FilterContext {
  /** The filter's client data values from the pipeline message. */
  readonly clientData: readonly number[];
  /** Size in bytes of one dataset element (in the file). */
  readonly elementSize: number;
  /** Bytes of an unfiltered chunk: the most any decode may produce. */
  readonly chunkBytes: number;
  /** Dataset path, for messages. */
  readonly dataset: string;
}

/** Undo one filter: filtered bytes in, the bytes before the filter out. */
export type FilterDecode = (input: Uint8Array, ctx: FilterContext) => Uint8Array;

export interface FilterImpl {
  readonly name: string;
  readonly decode: FilterDecode;
}

/** Built-in filters (spec IV.A.2.l; lzf is h5py's filter 32000). */
const BUILTIN: ReadonlyMap<number, FilterImpl> = new Map([
  [1, { name: "deflate", decode: deflateDecode }],
  [2, { name: "shuffle", decode: shuffleDecode }],
  [3, { name: "fletcher32", decode: fletcher32Decode }],
  [4, { name: "szip", decode: szipDecode }],
  [5, { name: "nbit", decode: nbitDecode }],
  [6, { name: "scaleoffset", decode: scaleOffsetDecode }],
  [307, { name: "bzip2", decode: bzip2FilterDecode }],
  [32000, { name: "lzf", decode: lzfDecode }],
  [32015, { name: "zstd", decode: zstdFilterDecode }],
  [32001, { name: "blosc", decode: bloscDecode }],
  [32026, { name: "blosc2", decode: blosc2Decode }],
  [32013, { name: "zfp", decode: zfpDecode }],
  [32004, { name: "lz4", decode: lz4FilterDecode }],
  [32008, { name: "bitshuffle", decode: bitshuffleDecode }],
]);

const global = new Map<number, FilterImpl>();

/**
 * Register a filter implementation for every file opened afterwards (the
 * plugin hook for blosc, zstd, lz4, bzip2, bitshuffle, ...). A
 * registered filter replaces a built-in one with the same id.
 */
export function registerFilter(id: number, name: string, decode: FilterDecode): void {
  if (!Number.isInteger(id) || id < 0 || id > 65535) fail("USAGE", FORMAT, `filter id ${id} is not a 16-bit integer`);
  global.set(id, { name, decode });
}

export function unregisterFilter(id: number): void {
  global.delete(id);
}

/** The filters one file sees: per-open ones first, then registered, then built-in. */
export class FilterRegistry {
  private readonly local: Map<number, FilterImpl>;

  constructor(extra?: Iterable<[number, FilterImpl]>) {
    this.local = new Map(extra ?? []);
  }

  get(id: number): FilterImpl | undefined {
    return this.local.get(id) ?? global.get(id) ?? BUILTIN.get(id);
  }

  require(id: number, name: string | undefined, dataset: string): FilterImpl {
    const f = this.get(id);
    if (!f) fail("UNSUPPORTED", FORMAT, `unsupported filter '${FILTER_NAMES[id] ?? name ?? "unknown"}' (id ${id}) in dataset ${dataset}`);
    return f;
  }
}
