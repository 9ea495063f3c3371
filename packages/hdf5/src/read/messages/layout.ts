import { ByteReader, fail } from "@codec/core";
import type { ChunkIndexKind, Layout } from "../../model.js";
import { type Context, FORMAT } from "../context.js";

const INDEX_KINDS: Record<number, ChunkIndexKind> = { 1: "single-chunk", 2: "implicit", 3: "fixed-array", 4: "extensible-array", 5: "btree-v2" };

/**
 * Data layout message (spec IV.A.2.i), versions 1-4. For chunked layouts
 * `chunkDims` excludes the trailing element-size dimension the message
 * stores; versions 1-3 always index chunks with a v1 B-tree.
 */
export function decodeLayout(ctx: Context, data: Uint8Array, offset: number): Layout {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version < 1 || version > 4) fail("UNSUPPORTED", FORMAT, `layout message version ${version}`, { offset });
  if (version < 3) {
    const ndims = r.u8();
    const cls = r.u8();
    r.skip(5);
    if (ndims === 0 || ndims > 33) fail("CORRUPT", FORMAT, `layout dimensionality ${ndims}`, { offset });
    const address = cls !== 0 ? ctx.addr(r) : undefined;
    const dims: number[] = [];
    for (let i = 0; i < ndims; i++) dims.push(r.u32());
    if (cls === 0) {
      const size = r.u32();
      return { kind: "compact", data: r.bytesView(size) };
    }
    if (cls === 1) return { kind: "contiguous", address, size: -1 };
    if (cls === 2) return { kind: "chunked", chunkDims: dims.slice(0, ndims - 1), index: "btree-v1", address, indexParams: { elementSize: dims[ndims - 1] } };
    return fail("CORRUPT", FORMAT, `layout class ${cls}`, { offset });
  }
  const cls = r.u8();
  switch (cls) {
    case 0: {
      const size = r.u16();
      return { kind: "compact", data: r.bytesView(size) };
    }
    case 1: {
      const address = ctx.addr(r);
      const size = ctx.len(r);
      return { kind: "contiguous", address, size };
    }
    case 2: {
      if (version === 3) {
        const ndims = r.u8();
        if (ndims < 2 || ndims > 33) fail("CORRUPT", FORMAT, `chunked layout dimensionality ${ndims}`, { offset });
        const address = ctx.addr(r);
        const dims: number[] = [];
        for (let i = 0; i < ndims; i++) dims.push(r.u32());
        return { kind: "chunked", chunkDims: dims.slice(0, ndims - 1), index: "btree-v1", address, indexParams: { elementSize: dims[ndims - 1] } };
      }
      const flags = r.u8();
      const ndims = r.u8();
      if (ndims < 2 || ndims > 33) fail("CORRUPT", FORMAT, `chunked layout dimensionality ${ndims}`, { offset });
      const encLen = r.u8();
      if (encLen < 1 || encLen > 8) fail("CORRUPT", FORMAT, `chunk dimension size length ${encLen}`, { offset });
      const dims: number[] = [];
      for (let i = 0; i < ndims; i++) dims.push(r.uint(encLen));
      const it = r.u8();
      const index = INDEX_KINDS[it];
      if (index === undefined) fail("CORRUPT", FORMAT, `chunk index type ${it}`, { offset });
      const params: Record<string, number> = { elementSize: dims[ndims - 1] };
      let singleChunkSize: number | undefined;
      let singleChunkFilterMask: number | undefined;
      if (index === "single-chunk" && flags & 2) {
        singleChunkSize = ctx.len(r);
        singleChunkFilterMask = r.u32();
      } else if (index === "fixed-array") {
        params.pageBits = r.u8();
      } else if (index === "extensible-array") {
        params.maxBits = r.u8();
        params.indexElements = r.u8();
        params.minPointers = r.u8();
        params.minElements = r.u8();
        params.pageBits = r.u8();
      } else if (index === "btree-v2") {
        params.nodeSize = r.u32();
        params.splitPercent = r.u8();
        params.mergePercent = r.u8();
      }
      const address = ctx.addr(r);
      return { kind: "chunked", chunkDims: dims.slice(0, ndims - 1), index, address, flags, singleChunkSize, singleChunkFilterMask, indexParams: params };
    }
    case 3: {
      if (version < 4) fail("CORRUPT", FORMAT, "virtual layout in a layout message before version 4", { offset });
      const globalHeapAddress = ctx.addr(r);
      const globalHeapIndex = r.u32();
      return { kind: "virtual", globalHeapAddress, globalHeapIndex };
    }
    default:
      return fail("CORRUPT", FORMAT, `layout class ${cls}`, { offset });
  }
}
