import { type ByteSource, fail } from "@codec/core";
import type { ChunkedLayout, Filter } from "../model.js";
import { type ChunkLookup, openChunkIndex } from "./chunk-index/index.js";
import { type Context, FORMAT } from "./context.js";
import { copyBlock } from "./copy-block.js";
import { unshuffleChunk } from "./filters/shuffle.js";
import { inflateOnWorker, inflatePoolAvailable, inflatePoolDepth } from "./inflate-pool.js";
import type { DatasetInfo } from "./objects.js";
import { type ResolvedMapping, readVirtual } from "./virtual-dataset.js";

/** A box of a dataset: `start` and `count` elements per dimension. */
export interface Hyperslab {
  readonly start: readonly number[];
  readonly count: readonly number[];
}

export interface ReadLimits {
  /** Largest output buffer a read may allocate (default 2 GiB - 1). */
  readonly maxBytes: number;
  /** Opens an external raw-data file named by an external files message. */
  readonly externalFile?: (name: string) => ByteSource | Uint8Array | undefined;
  /** A virtual dataset's mappings and how to open their sources. */
  readonly virtual?: () => readonly ResolvedMapping[];
}

/**
 * Read a dataset's elements in the file's own element encoding (spec
 * IV.A.2.i layouts), C order over the selection. Contiguous data read whole
 * from memory is a zero-copy view; chunked reads touch only the chunks that
 * intersect the selection; unallocated storage gives the fill value.
 */
export function readDatasetRaw(ctx: Context, ds: DatasetInfo, path: string, limits: ReadLimits, slab?: Hyperslab): Uint8Array {
  const es = ds.type.size;
  const dims = ds.space.kind === "null" ? [] : ds.space.dims;
  const rank = dims.length;
  for (const d of dims) if (!Number.isSafeInteger(d)) fail("LIMIT", FORMAT, `dataset ${path} has a dimension past 2^53`);
  const start = slab?.start ?? dims.map(() => 0);
  const count = slab?.count ?? (ds.space.kind === "null" ? [] : dims);
  if (start.length !== rank || count.length !== rank) fail("USAGE", FORMAT, `hyperslab rank ${start.length} does not match dataset rank ${rank}`);
  let numel = ds.space.kind === "null" ? 0 : 1;
  for (let d = 0; d < rank; d++) {
    if (!Number.isSafeInteger(start[d]) || !Number.isSafeInteger(count[d]) || start[d] < 0 || count[d] < 0 || start[d] + count[d] > dims[d]) {
      fail("USAGE", FORMAT, `hyperslab [${start}]+[${count}] is outside dataset ${path} of shape [${dims}]`);
    }
    numel *= count[d];
  }
  const total = numel * es;
  if (!Number.isSafeInteger(total) || total > limits.maxBytes) fail("LIMIT", FORMAT, `dataset ${path} selection is ${total} bytes, over the ${limits.maxBytes}-byte read limit`);
  const whole = slab === undefined || count.every((c, d) => c === dims[d]);
  const layout = ds.layout;
  if (layout.kind === "virtual") {
    if (!limits.virtual) return fail("UNSUPPORTED", FORMAT, `virtual dataset layout in dataset ${path} (no source resolver)`);
    // Resolve the sources first: one that cannot be reached refuses even an empty read.
    const resolved = limits.virtual();
    if (numel === 0) return new Uint8Array(0);
    const full = fullSize(dims) * es;
    if (full > limits.maxBytes) fail("LIMIT", FORMAT, `virtual dataset ${path} is ${full} bytes, over the ${limits.maxBytes}-byte read limit`);
    const out = fillBuffer(ds, full);
    readVirtual(resolved, ds.type, dims, out, path);
    return whole ? out : select(out, dims, start, count, es);
  }
  if (numel === 0) return new Uint8Array(0);
  if (layout.kind === "compact") {
    const full = fullSize(dims) * es;
    if (layout.data.length < full) fail("CORRUPT", FORMAT, `compact dataset ${path} holds ${layout.data.length} bytes, needs ${full}`);
    return whole ? layout.data.subarray(0, full) : select(layout.data, dims, start, count, es);
  }
  if (layout.kind === "contiguous") {
    if (ds.external && ds.external.length > 0) return readExternal(ctx, ds, path, limits, dims, start, count, whole);
    const full = fullSize(dims) * es;
    if (layout.address === undefined) return fillBuffer(ds, total);
    if (layout.size >= 0 && layout.size < full) fail("CORRUPT", FORMAT, `contiguous dataset ${path} stores ${layout.size} bytes, needs ${full}`);
    if (whole) return ctx.bytes(layout.address, full, `dataset ${path}`);
    return readRuns(dims, start, count, es, total, (off, len) => ctx.bytes(layout.address as number + off, len, `dataset ${path}`));
  }
  return readChunked(ctx, ds, layout, path, dims, start, count, es, total);
}

function fullSize(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function fillBuffer(ds: DatasetInfo, total: number): Uint8Array {
  const out = new Uint8Array(total);
  const v = ds.fill?.value;
  if (v && v.length === ds.type.size && v.some((b) => b !== 0)) {
    for (let o = 0; o < total; o += v.length) out.set(v, o);
  }
  return out;
}

function select(src: Uint8Array, dims: readonly number[], start: readonly number[], count: readonly number[], es: number): Uint8Array {
  let n = es;
  for (const c of count) n *= c;
  const out = new Uint8Array(n);
  copyBlock(src, dims, start, out, count, count.map(() => 0), count, es);
  return out;
}

/** Read a hyperslab of contiguous storage as runs along the last dimension(s). */
function readRuns(dims: readonly number[], start: readonly number[], count: readonly number[], es: number, total: number, read: (off: number, len: number) => Uint8Array): Uint8Array {
  const rank = dims.length;
  const out = new Uint8Array(total);
  if (rank === 0) {
    out.set(read(0, es));
    return out;
  }
  let k = rank - 1;
  let run = count[k] * es;
  while (k > 0 && count[k] === dims[k]) {
    k--;
    run *= count[k];
  }
  const strides = new Array<number>(rank);
  let s = es;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  const idx = new Array<number>(k).fill(0);
  let o = 0;
  for (;;) {
    let off = 0;
    for (let i = 0; i < rank; i++) off += (start[i] + (i < k ? idx[i] : 0)) * strides[i];
    out.set(read(off, run), o);
    o += run;
    let i = k - 1;
    while (i >= 0) {
      idx[i]++;
      if (idx[i] < count[i]) break;
      idx[i] = 0;
      i--;
    }
    if (i < 0) return out;
  }
}

function readExternal(ctx: Context, ds: DatasetInfo, path: string, limits: ReadLimits, dims: readonly number[], start: readonly number[], count: readonly number[], whole: boolean): Uint8Array {
  const segs = ds.external ?? [];
  const es = ds.type.size;
  if (!limits.externalFile) fail("UNSUPPORTED", FORMAT, `dataset ${path} stores its data in external file '${segs[0].name}' (pass externalFile to read it)`);
  const sources = segs.map((s) => {
    const src = limits.externalFile?.(s.name);
    if (src === undefined) fail("IO", FORMAT, `external raw data file '${s.name}' of dataset ${path} is not available`);
    return src;
  });
  const readAt = (off: number, len: number): Uint8Array => {
    const out = new Uint8Array(len);
    let pos = 0;
    let segStart = 0;
    for (let i = 0; i < segs.length && pos < len; i++) {
      const seg = segs[i];
      const segLen = Number.isFinite(seg.size) ? seg.size : Number.MAX_SAFE_INTEGER;
      const want = off + pos;
      if (want < segStart + segLen) {
        const inSeg = want - segStart;
        const n = Math.min(len - pos, segLen - inSeg);
        const src = sources[i];
        const fileOff = seg.offset + inSeg;
        let bytes: Uint8Array;
        if (src instanceof Uint8Array) {
          if (fileOff + n > src.length) fail("TRUNCATED", FORMAT, `external file '${seg.name}' of dataset ${path} is too short`);
          bytes = src.subarray(fileOff, fileOff + n);
        } else {
          if (!src.readSync) fail("UNSUPPORTED", FORMAT, "external raw data files need a synchronous byte source");
          if (fileOff + n > src.byteLength) fail("TRUNCATED", FORMAT, `external file '${seg.name}' of dataset ${path} is too short`);
          bytes = src.readSync(fileOff, n);
        }
        out.set(bytes, pos);
        pos += n;
      }
      segStart += segLen;
    }
    if (pos < len) fail("CORRUPT", FORMAT, `external files of dataset ${path} hold fewer bytes than the dataset needs`);
    return out;
  };
  let total = es;
  for (const c of count) total *= c;
  if (whole) return readAt(0, fullSize(dims) * es);
  void ctx;
  return readRuns(dims, start, count, es, total, readAt);
}

function readChunked(ctx: Context, ds: DatasetInfo, layout: ChunkedLayout, path: string, dims: readonly number[], start: readonly number[], count: readonly number[], es: number, total: number): Uint8Array {
  const rank = dims.length;
  const chunk = layout.chunkDims;
  if (chunk.length !== rank) fail("CORRUPT", FORMAT, `chunk rank ${chunk.length} does not match dataset rank ${rank} in ${path}`);
  let chunkElems = 1;
  for (const c of chunk) {
    if (c === 0) fail("CORRUPT", FORMAT, `chunk dimension 0 in dataset ${path}`);
    chunkElems *= c;
  }
  const chunkBytes = chunkElems * es;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes > 0xffffffff) fail("CORRUPT", FORMAT, `chunk of ${chunkBytes} bytes in dataset ${path}`);
  const declared = layout.indexParams?.elementSize;
  if (declared !== undefined && declared !== es) fail("CORRUPT", FORMAT, `chunk element size ${declared} differs from the datatype size ${es} in ${path}`);
  const maxDims = ds.space.maxDims ?? dims;
  const index: ChunkLookup = openChunkIndex(ctx, layout, dims, maxDims, chunkBytes, ds.filters.length > 0);
  const out = new Uint8Array(total);
  let fill: Uint8Array | undefined;
  const lo = start.map((s, d) => Math.floor(s / chunk[d]));
  const hi = start.map((s, d) => Math.floor((s + count[d] - 1) / chunk[d]));
  const scaled = lo.slice();
  const srcStart = new Array<number>(rank);
  const dstStart = new Array<number>(rank);
  const extent = new Array<number>(rank);
  for (;;) {
    const partialEdge = chunkOverlap(scaled, chunk, start, count, dims, srcStart, dstStart, extent);
    ctx.spend("chunk", 0);
    const loc = index.get(scaled);
    if (loc === undefined) {
      fill ??= fillBuffer(ds, chunkBytes);
      copyBlock(fill, chunk, srcStart, out, count, dstStart, extent, es);
    } else {
      const skipAll = partialEdge && ((layout.flags ?? 0) & 1) !== 0;
      const target = directTarget(out, chunk, chunkBytes, count, srcStart, dstStart, extent);
      const data = decodeChunk(ctx, ds.filters, skipAll ? 0xffffffff : loc.filterMask, ctx.bytes(loc.address, loc.size, `chunk of dataset ${path}`), es, chunkBytes, path, target);
      if (!target) copyBlock(data, chunk, srcStart, out, count, dstStart, extent, es);
    }
    if (!nextChunk(scaled, lo, hi)) break;
  }
  return out;
}

/** Undo a chunk's filters, last applied first, skipping those its filter mask excludes. */
export function decodeChunk(ctx: Context, filters: readonly Filter[], mask: number, raw: Uint8Array, es: number, chunkBytes: number, path: string, target?: Uint8Array): Uint8Array {
  let data = raw;
  let first = 0;
  while (first < filters.length && mask & (1 << first)) first++;
  for (let i = filters.length - 1; i >= 0; i--) {
    if (mask & (1 << i)) continue;
    const f = filters[i];
    if (f.id === 2 && data.length === chunkBytes) {
      // Shuffle inline (h5py's usual last step), straight into the output when allowed.
      const size = f.clientData[0] ?? es;
      if (size > 1 && ctx.filters.get(2)?.name === "shuffle") {
        data = unshuffleChunk(data, i === first && target ? target : new Uint8Array(data.length), size);
        continue;
      }
    }
    const impl = ctx.filters.require(f.id, f.name, path);
    data = impl.decode(data, { clientData: f.clientData, elementSize: es, chunkBytes, dataset: path });
  }
  if (data.length !== chunkBytes) {
    fail("CORRUPT", FORMAT, `chunk of dataset ${path} decodes to ${data.length} bytes, expected ${chunkBytes}`);
  }
  if (target && data !== target) target.set(data);
  return data;
}

/**
 * The same read as readDatasetRaw, with deflate (+ shuffle) chunks
 * inflated on worker threads in parallel where the runtime has them.
 * Other layouts and pipelines fall back to the synchronous path.
 */
export async function readDatasetRawAsync(ctx: Context, ds: DatasetInfo, path: string, limits: ReadLimits, slab?: Hyperslab): Promise<Uint8Array> {
  const layout = ds.layout;
  const ids = ds.filters.map((f) => f.id);
  const deflateOnly = ids.length === 1 && ids[0] === 1;
  const shuffleDeflate = ids.length === 2 && ids[0] === 2 && ids[1] === 1;
  if (layout.kind !== "chunked" || !(deflateOnly || shuffleDeflate) || !inflatePoolAvailable() || ctx.filters.get(1)?.name !== "deflate" || ctx.filters.get(2)?.name !== "shuffle") {
    return readDatasetRaw(ctx, ds, path, limits, slab);
  }
  const es = ds.type.size;
  const dims = ds.space.kind === "null" ? [] : ds.space.dims;
  const rank = dims.length;
  const start = slab?.start ?? dims.map(() => 0);
  const count = slab?.count ?? dims;
  let numel = ds.space.kind === "null" ? 0 : 1;
  for (let d = 0; d < rank; d++) {
    if (!Number.isSafeInteger(dims[d]) || start.length !== rank || count.length !== rank || !(start[d] >= 0 && count[d] >= 0 && start[d] + count[d] <= dims[d])) {
      return readDatasetRaw(ctx, ds, path, limits, slab); // the sync path reports the error
    }
    numel *= count[d];
  }
  const total = numel * es;
  if (numel === 0 || total > limits.maxBytes) return readDatasetRaw(ctx, ds, path, limits, slab);
  const chunk = layout.chunkDims;
  let chunkElems = 1;
  for (const c of chunk) chunkElems *= c;
  const chunkBytes = chunkElems * es;
  if (chunk.length !== rank || chunkElems === 0 || chunkBytes > 0xffffffff || (layout.indexParams?.elementSize ?? es) !== es) return readDatasetRaw(ctx, ds, path, limits, slab);
  const shuffle = shuffleDeflate ? (ds.filters[0].clientData[0] ?? es) : 0;
  const index = openChunkIndex(ctx, layout, dims, ds.space.maxDims ?? dims, chunkBytes, true);
  const out = new Uint8Array(total);
  let fill: Uint8Array | undefined;
  const lo = start.map((s, d) => Math.floor(s / chunk[d]));
  const hi = start.map((s, d) => Math.floor((s + count[d] - 1) / chunk[d]));
  const scaled = lo.slice();
  const inflight: Promise<void>[] = [];
  const depth = inflatePoolDepth();
  for (;;) {
    const srcStart = new Array<number>(rank);
    const dstStart = new Array<number>(rank);
    const extent = new Array<number>(rank);
    const partialEdge = chunkOverlap(scaled, chunk, start, count, dims, srcStart, dstStart, extent);
    const loc = index.get(scaled);
    if (loc === undefined) {
      fill ??= fillBuffer(ds, chunkBytes);
      copyBlock(fill, chunk, srcStart, out, count, dstStart, extent, es);
    } else {
      const raw = ctx.bytes(loc.address, loc.size, `chunk of dataset ${path}`);
      const skipAll = partialEdge && ((layout.flags ?? 0) & 1) !== 0;
      if (skipAll || loc.filterMask !== 0) {
        const data = decodeChunk(ctx, ds.filters, skipAll ? 0xffffffff : loc.filterMask, raw, es, chunkBytes, path);
        copyBlock(data, chunk, srcStart, out, count, dstStart, extent, es);
      } else {
        const target = directTarget(out, chunk, chunkBytes, count, srcStart, dstStart, extent);
        const job = inflateOnWorker(raw, chunkBytes, path).then((inflated) => {
          if (inflated.length !== chunkBytes) fail("CORRUPT", FORMAT, `chunk of dataset ${path} decodes to ${inflated.length} bytes, expected ${chunkBytes}`);
          let data = inflated;
          if (shuffle > 1) data = unshuffleChunk(inflated, target ?? new Uint8Array(chunkBytes), shuffle);
          else if (target) target.set(data);
          if (!target) copyBlock(data, chunk, srcStart, out, count, dstStart, extent, es);
        });
        inflight.push(job);
        if (inflight.length >= depth) await inflight.shift();
      }
    }
    if (!nextChunk(scaled, lo, hi)) break;
  }
  await Promise.all(inflight);
  return out;
}

/** Step chunk coordinates `scaled` through lo..hi in row-major order; false after the last. */
function nextChunk(scaled: number[], lo: readonly number[], hi: readonly number[]): boolean {
  for (let d = scaled.length - 1; d >= 0; d--) {
    scaled[d]++;
    if (scaled[d] <= hi[d]) return true;
    scaled[d] = lo[d];
  }
  return false;
}

/**
 * The part of `out` a whole chunk fills when it lands as one contiguous
 * run of the output (then it is decoded straight into it), else undefined.
 */
function directTarget(out: Uint8Array, chunk: readonly number[], chunkBytes: number, count: readonly number[], srcStart: readonly number[], dstStart: readonly number[], extent: readonly number[]): Uint8Array | undefined {
  for (let d = 0; d < chunk.length; d++) {
    if (srcStart[d] !== 0 || extent[d] !== chunk[d] || (d > 0 && count[d] !== chunk[d])) return undefined;
  }
  const dstOff = dstStart[0] * (chunkBytes / chunk[0]);
  return out.subarray(dstOff, dstOff + chunkBytes);
}

/**
 * Where chunk `scaled` (in chunk units) meets the selection start/count:
 * fills the offsets inside the chunk, inside the output and the extent per
 * dimension; returns whether the chunk runs past the dataset's edge.
 */
function chunkOverlap(
  scaled: readonly number[],
  chunk: readonly number[],
  start: readonly number[],
  count: readonly number[],
  dims: readonly number[],
  srcStart: number[],
  dstStart: number[],
  extent: number[],
): boolean {
  let partialEdge = false;
  for (let d = 0; d < scaled.length; d++) {
    const c0 = scaled[d] * chunk[d];
    const a = Math.max(c0, start[d]);
    const b = Math.min(c0 + chunk[d], start[d] + count[d]);
    srcStart[d] = a - c0;
    dstStart[d] = a - start[d];
    extent[d] = b - a;
    if (c0 + chunk[d] > dims[d]) partialEdge = true;
  }
  return partialEdge;
}
