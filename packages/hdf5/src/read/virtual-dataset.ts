/**
 * Virtual datasets (layout class 3, spec IV.A.2.i version 4 and III.F):
 * the layout points at a global heap object listing mappings, each a
 * source file name ("." = this file), a source dataset path, a selection
 * in the source and a selection in the virtual dataset with the same
 * number of elements. Elements pair up in the selections' iteration order
 * (libhdf5 H5D__virtual_read); elements no mapping covers, and mappings
 * whose source cannot be opened, read as the fill value (as libhdf5 does).
 * Unlimited selections are clipped to the source dataset's current extent
 * and the virtual side to the same number of elements
 * (H5S_hyper_clip_unlim / H5S__hyper_get_clip_extent_match). The virtual
 * extent is the one stored in the dataspace message.
 */
import { ByteReader, fail } from "@codec/core";
import { type Datatype, UNLIMITED } from "../model.js";
import { FORMAT, verifyChecksum } from "./context.js";
import { type Selection, readSelection, resolveUnlimited, selectionIndices } from "./selection.js";

export interface VirtualMapping {
  readonly file: string;
  readonly dataset: string;
  readonly source: Selection;
  readonly virtual: Selection;
}

/** A source dataset as the mapping needs it. */
export interface VirtualSourceData {
  readonly dims: readonly number[];
  readonly type: Datatype;
  /** Every element, raw, C order. */
  read(): Uint8Array;
}

/** Finds a mapping's source; undefined when it cannot be opened (read as fill). */
export type VirtualSourceResolver = (file: string, dataset: string) => VirtualSourceData | undefined;

/** Entry flags of heap block version 1 (HDF5 1.14 H5D__virtual_store_layout). */
const FILE_SHARED = 1;
const DSET_SHARED = 2;
const SAME_FILE = 4;

/** Parse the mapping list from its global heap object. */
export function parseVirtualMappings(block: Uint8Array, lengthSize: number, path: string): VirtualMapping[] {
  if (block.length < 4) fail("CORRUPT", FORMAT, `virtual dataset mapping block of ${path} is too short`);
  verifyChecksum(block, block.length - 4, `virtual dataset mapping block of ${path}`, 0);
  const r = new ByteReader(block.subarray(0, block.length - 4), FORMAT);
  const version = r.u8();
  if (version > 1) fail("UNSUPPORTED", FORMAT, `virtual dataset mapping block version ${version} in ${path}`);
  const n = r.uint(lengthSize);
  if (n * 4 > r.remaining) fail("CORRUPT", FORMAT, `virtual dataset ${path} claims ${n} mappings in ${r.remaining} bytes`);
  const cstring = (): string => {
    const end = r.bytes.indexOf(0, r.pos);
    if (end < 0) fail("CORRUPT", FORMAT, `unterminated name in the virtual dataset mapping of ${path}`);
    const s = new TextDecoder().decode(r.bytes.subarray(r.pos, end));
    r.seek(end + 1);
    return s;
  };
  const out: VirtualMapping[] = [];
  for (let i = 0; i < n; i++) {
    const flags = version >= 1 ? r.u8() : 0;
    const shared = (which: "file" | "dataset"): string => {
      const k = r.uint(lengthSize);
      if (k >= i) fail("CORRUPT", FORMAT, `virtual dataset mapping ${i} of ${path} shares a name with mapping ${k}`);
      return out[k][which];
    };
    const file = flags & SAME_FILE ? "." : flags & FILE_SHARED ? shared("file") : cstring();
    const dataset = flags & DSET_SHARED ? shared("dataset") : cstring();
    const source = readSelection(r);
    const virtual = readSelection(r);
    out.push({ file, dataset, source, virtual });
  }
  return out;
}

/** Same element encoding: the raw bytes can be copied (no type conversion is done). */
function sameEncoding(a: Datatype, b: Datatype): boolean {
  if (a.class !== b.class || a.size !== b.size) return false;
  const oa = (a as { byteOrder?: string }).byteOrder;
  const ob = (b as { byteOrder?: string }).byteOrder;
  return oa === ob;
}

function numelOf(s: Selection, dims: readonly number[]): number {
  if (s.kind === "none") return 0;
  if (s.kind === "all") return dims.reduce((a, b) => a * b, 1);
  if (s.kind === "points") return s.coords.length;
  if (s.kind === "blocks") return Number.NaN;
  return s.count.reduce((acc, c, d) => acc * c * s.block[d], 1);
}

/** A mapping with its source opened and unlimited selections clipped. */
export interface ResolvedMapping {
  readonly mapping: VirtualMapping;
  readonly src: VirtualSourceData | undefined;
  readonly source: Selection;
  readonly virtual: Selection;
}

/** Open every mapping's source and clip unlimited selections to the sources' extents. */
export function resolveMappings(mappings: readonly VirtualMapping[], type: Datatype, resolve: VirtualSourceResolver, path: string): ResolvedMapping[] {
  return mappings.map((m) => {
    const src = resolve(m.file, m.dataset);
    if (src && !sameEncoding(type, src.type)) fail("UNSUPPORTED", FORMAT, `virtual dataset ${path}: source ${m.file}:${m.dataset} has a different datatype (conversion is not supported)`);
    let source = m.source;
    if (source.kind === "regular") {
      const s = source;
      source = resolveUnlimited(s, (d) => {
        const extent = src?.dims[d] ?? 0;
        if (!Number.isFinite(s.block[d])) return { count: s.count[d], block: Math.max(0, extent - s.start[d]) };
        const room = extent - s.start[d] - s.block[d];
        return { count: room >= 0 ? Math.floor(room / s.stride[d]) + 1 : 0, block: s.block[d] };
      });
    }
    const srcCount = src ? numelOf(source, src.dims) : 0;
    let virtual = m.virtual;
    if (virtual.kind === "regular") {
      const v = virtual;
      virtual = resolveUnlimited(v, (d) => {
        // The unlimited dimension takes as many elements as the source selection has.
        let other = 1;
        for (let e = 0; e < v.rank; e++) if (e !== d) other *= v.count[e] * v.block[e];
        const along = other > 0 && Number.isFinite(other) && Number.isFinite(srcCount) ? Math.floor(srcCount / other) : 0;
        if (!Number.isFinite(v.block[d])) return { count: v.count[d], block: v.count[d] > 0 ? Math.floor(along / v.count[d]) : 0 };
        return { count: v.block[d] > 0 ? Math.floor(along / v.block[d]) : 0, block: v.block[d] };
      });
    }
    return { mapping: m, src, source, virtual };
  });
}

/** Highest coordinate + 1 a selection reaches in dimension d. */
function bound(s: Selection, d: number, stored: number): number {
  if (s.kind === "none") return 0;
  if (s.kind === "all") return stored;
  if (s.kind === "points") return s.coords.reduce((m, c) => Math.max(m, c[d] + 1), 0);
  if (s.kind === "blocks") return s.blocks.reduce((m, b) => Math.max(m, b.end[d] + 1), 0);
  return s.count[d] > 0 && s.block[d] > 0 ? s.start[d] + (s.count[d] - 1) * s.stride[d] + s.block[d] : 0;
}

/**
 * The virtual dataset's current extent as libhdf5 computes it at open
 * (H5D__virtual_set_extent_unlim, default view H5D_VDS_LAST_AVAILABLE):
 * each unlimited dimension reaches as far as the furthest mapped element.
 */
export function virtualExtent(resolved: readonly ResolvedMapping[], dims: readonly number[], maxDims: readonly number[] | undefined): number[] {
  const out = dims.slice();
  if (!maxDims) return out;
  for (let d = 0; d < out.length; d++) {
    if (maxDims[d] !== UNLIMITED) continue;
    let n = 0;
    for (const r of resolved) n = Math.max(n, bound(r.virtual, d, dims[d]));
    out[d] = n;
  }
  return out;
}

let depth = 0;

/**
 * Assemble a virtual dataset's elements (raw, C order over `dims`) into
 * `out`, which the caller filled with the fill value.
 */
export function readVirtual(resolved: readonly ResolvedMapping[], type: Datatype, dims: readonly number[], out: Uint8Array, path: string): void {
  if (depth > 8) fail("LIMIT", FORMAT, `virtual dataset ${path} nests sources too deeply (a cycle?)`);
  depth++;
  try {
    const es = type.size;
    const maxElements = out.length / Math.max(es, 1);
    for (const m of resolved) {
      const src = m.src;
      if (!src) continue;
      const srcIdx = selectionIndices(m.source, src.dims, Number.MAX_SAFE_INTEGER);
      const virtIdx = selectionIndices(m.virtual, dims, Math.max(maxElements, srcIdx.length) * 16 + 16);
      const n = Math.min(srcIdx.length, virtIdx.length);
      if (n === 0) continue;
      const raw = src.read();
      for (let k = 0; k < n; k++) {
        const v = virtIdx[k];
        const s = srcIdx[k];
        if (v < 0 || s < 0) continue; // outside the current extent of either side
        const so = s * es;
        const vo = v * es;
        if (so + es > raw.length) fail("CORRUPT", FORMAT, `virtual dataset ${path}: source ${m.mapping.dataset} is shorter than its extent`);
        for (let b = 0; b < es; b++) out[vo + b] = raw[so + b];
      }
    }
  } finally {
    depth--;
  }
}
