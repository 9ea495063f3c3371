import { ByteReader, fail } from "@codec/core";
import type { Dataspace, Datatype, ExternalFileSegment, FillValue, Filter, Layout, Link } from "../model.js";
import { groupNodeAddresses, readSymbolNode } from "./btree-v1.js";
import { openBTreeV2, walkBTreeV2 } from "./btree-v2.js";
import { type Context, FORMAT } from "./context.js";
import { FractalHeap } from "./fractal-heap.js";
import { readLocalHeap } from "./local-heap.js";
import { type RawAttribute, decodeAttribute } from "./messages/attribute.js";
import { decodeDataspace } from "./messages/dataspace.js";
import { decodeDatatype } from "./messages/datatype.js";
import { decodeExternalFiles } from "./messages/external-files.js";
import { decodeFillValue, decodeOldFillValue } from "./messages/fill-value.js";
import { decodeFilterPipeline } from "./messages/filter-pipeline.js";
import { type DenseStorageInfo, decodeAttributeInfo, decodeLinkInfo, decodeSymbolTable } from "./messages/info.js";
import { decodeLayout } from "./messages/layout.js";
import { decodeLink } from "./messages/link.js";
import { MSG, type ObjectHeader, type RawMessage, readObjectHeader } from "./object-header.js";
import type { SharedMessages } from "./shared.js";

export type ObjectKind = "group" | "dataset" | "datatype";

/** Everything the reader knows about a dataset's storage, from its header messages. */
export interface DatasetInfo {
  readonly address: number;
  readonly type: Datatype;
  readonly space: Dataspace;
  readonly layout: Layout;
  readonly filters: readonly Filter[];
  readonly fill: FillValue | undefined;
  readonly external: readonly ExternalFileSegment[] | undefined;
}

/**
 * Object-level reading (spec IV.A): object headers by address (cached),
 * their kind, links and attributes, with shared messages resolved.
 */
export class Objects {
  readonly ctx: Context;
  readonly shared: SharedMessages;
  private readonly headers = new Map<number, ObjectHeader>();
  /** Decoded link lists by group address: path lookups (resolve, re-encode) ask for a group's links once per name. */
  private readonly linkLists = new Map<number, readonly Link[]>();

  constructor(ctx: Context, shared: SharedMessages) {
    this.ctx = ctx;
    this.shared = shared;
  }

  header(address: number): ObjectHeader {
    let h = this.headers.get(address);
    if (!h) {
      h = readObjectHeader(this.ctx, address);
      this.headers.set(address, h);
    }
    return h;
  }

  private message(h: ObjectHeader, type: number): { data: Uint8Array; offset: number } | undefined {
    const m = h.messages.find((x) => x.type === type);
    return m ? this.shared.resolve(m) : undefined;
  }

  kind(address: number): ObjectKind {
    const cached = this.headers.get(address);
    if (!cached) {
      const kind = scanV1Kind(this.ctx, address);
      if (kind) return kind;
    }
    const h = this.header(address);
    return kindOf((t) => h.messages.some((m) => m.type === t));
  }

  datatype(address: number): Datatype {
    const m = this.message(this.header(address), MSG.DATATYPE);
    if (!m) fail("CORRUPT", FORMAT, "object has no datatype message", { offset: this.ctx.base + address });
    return decodeDatatype(m.data, m.offset, this.ctx.offsetSize);
  }

  dataset(address: number): DatasetInfo {
    const h = this.header(address);
    const ctx = this.ctx;
    const t = this.message(h, MSG.DATATYPE);
    const s = this.message(h, MSG.DATASPACE);
    const l = this.message(h, MSG.LAYOUT);
    if (!t || !s) fail("CORRUPT", FORMAT, "dataset without datatype or dataspace message", { offset: ctx.base + address });
    if (!l) fail("CORRUPT", FORMAT, "dataset without a layout message", { offset: ctx.base + address });
    const type = decodeDatatype(t.data, t.offset, ctx.offsetSize);
    const space = decodeDataspace(ctx, s.data, s.offset);
    const layout = decodeLayout(ctx, l.data, l.offset);
    const p = this.message(h, MSG.FILTERS);
    const filters = p ? decodeFilterPipeline(p.data, p.offset) : [];
    const f = this.message(h, MSG.FILL);
    const fo = this.message(h, MSG.FILL_OLD);
    let fill: FillValue | undefined;
    if (f) fill = decodeFillValue(f.data, f.offset);
    else if (fo) fill = decodeOldFillValue(fo.data, fo.offset);
    if (fill?.value && fill.value.length !== type.size) {
      // libhdf5 ignores fill values whose size disagrees with the datatype only for vlen types.
      if (type.class !== "vlen") fail("CORRUPT", FORMAT, `fill value of ${fill.value.length} bytes for a ${type.size}-byte datatype`, { offset: f?.offset ?? fo?.offset });
    }
    const e = this.message(h, MSG.EXTERNAL_FILES);
    const external = e ? decodeExternalFiles(ctx, e.data, e.offset) : undefined;
    return { address, type, space, layout, filters, fill, external };
  }

  /**
   * The links of a group, sorted by name (libhdf5's default name-index order).
   * Cached per group: without it, resolving each of a large group's n names
   * re-reads its whole fractal heap or B-tree (n^2 metadata reads).
   */
  links(address: number): Link[] {
    let list = this.linkLists.get(address);
    if (!list) {
      list = this.readLinks(address);
      this.linkLists.set(address, list);
    }
    return list.slice();
  }

  private readLinks(address: number): Link[] {
    const h = this.header(address);
    const ctx = this.ctx;
    const out: Link[] = [];
    const stab = h.messages.find((m) => m.type === MSG.SYMBOL_TABLE);
    if (stab) {
      const { btree, heap } = decodeSymbolTable(ctx, stab.data, stab.offset);
      const lheap = readLocalHeap(ctx, heap);
      for (const node of groupNodeAddresses(ctx, btree)) {
        for (const e of readSymbolNode(ctx, node)) {
          const name = lheap.string(e.nameOffset);
          if (e.cacheType === 2) out.push({ kind: "soft", name, target: lheap.string(e.softLinkOffset ?? 0) });
          else out.push({ kind: "hard", name, address: e.address });
        }
      }
    }
    for (const m of h.messages) {
      if (m.type !== MSG.LINK) continue;
      const link = decodeLink(ctx, m.data, m.offset);
      if (link) out.push(link);
    }
    const li = h.messages.find((m) => m.type === MSG.LINK_INFO);
    if (li) {
      const info = decodeLinkInfo(ctx, li.data, li.offset);
      this.dense(info, 5, 4, (bytes, at) => {
        const link = decodeLink(ctx, bytes, at);
        if (link) out.push(link);
      });
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 1; i < out.length; i++) {
      if (out[i].name === out[i - 1].name) fail("CORRUPT", FORMAT, `group has two links named '${out[i].name}'`, { offset: ctx.base + address });
    }
    return out;
  }

  /** Attributes of an object (compact messages, then dense storage), undecoded values. */
  attributes(address: number): RawAttribute[] {
    const h = this.header(address);
    const ctx = this.ctx;
    const out: RawAttribute[] = [];
    const dec = {
      datatype: (data: Uint8Array, offset: number, shared: boolean): Datatype => {
        const m = shared ? this.shared.resolveShared(MSG.DATATYPE, data, offset) : { data, offset };
        return decodeDatatype(m.data, m.offset, ctx.offsetSize);
      },
      dataspace: (data: Uint8Array, offset: number, shared: boolean): Dataspace => {
        const m = shared ? this.shared.resolveShared(MSG.DATASPACE, data, offset) : { data, offset };
        return decodeDataspace(ctx, m.data, m.offset);
      },
    };
    const one = (m: RawMessage | { data: Uint8Array; offset: number; flags: number; type: number; creationOrder?: number }) => {
      const real = this.shared.resolve(m);
      out.push(decodeAttribute(real.data, real.offset, dec, m.creationOrder));
    };
    for (const m of h.messages) if (m.type === MSG.ATTRIBUTE) one(m);
    const ai = h.messages.find((m) => m.type === MSG.ATTRIBUTE_INFO);
    if (ai) {
      const info = decodeAttributeInfo(ctx, ai.data, ai.offset);
      this.dense(info, 8, 0, (bytes, at, flags) => one({ type: MSG.ATTRIBUTE, flags: flags & 1 ? 2 : 0, data: bytes, offset: at }));
    }
    return out;
  }

  /**
   * Iterate dense storage (spec IV.A.2.c / IV.A.2.v): the name index v2
   * B-tree's records name heap IDs in the fractal heap. Link records (type 5)
   * are hash + ID; attribute records (type 8) are ID + flags + order + hash.
   */
  private dense(info: DenseStorageInfo, recordType: number, idStart: number, each: (bytes: Uint8Array, offset: number, flags: number) => void): void {
    if (info.heapAddress === undefined || info.nameIndexAddress === undefined) return;
    const ctx = this.ctx;
    const heap = new FractalHeap(ctx, info.heapAddress);
    const tree = openBTreeV2(ctx, info.nameIndexAddress);
    if (tree.type !== recordType) fail("CORRUPT", FORMAT, `dense storage index has record type ${tree.type}, expected ${recordType}`, { offset: ctx.base + info.nameIndexAddress });
    walkBTreeV2(ctx, tree, (rec, at) => {
      const idLen = recordType === 5 ? rec.length - 4 : rec.length - 9;
      if (idLen <= 0) fail("CORRUPT", FORMAT, "dense storage record too small", { offset: at });
      const id = rec.subarray(idStart, idStart + idLen);
      const flags = recordType === 8 ? rec[idLen] : 0;
      const bytes = heap.get(id);
      each(bytes, at, flags);
    });
  }
}

/** A reader positioned on raw bytes; small helper for callers decoding heap data. */
export function readerOf(bytes: Uint8Array, offset: number): ByteReader {
  return new ByteReader(bytes, FORMAT, offset);
}

/** libhdf5's object class test order (H5O__obj_class_real): group, dataset, then named datatype. */
function kindOf(has: (type: number) => boolean): ObjectKind {
  if (has(MSG.SYMBOL_TABLE) || has(MSG.LINK_INFO) || has(MSG.LINK)) return "group";
  if (has(MSG.DATATYPE) && has(MSG.DATASPACE)) return "dataset";
  if (has(MSG.DATATYPE)) return "datatype";
  return "group";
}

/**
 * The kind of an object with a version-1 header whose first chunk holds
 * every message, from its message types alone (listing thousands of
 * objects only needs their kind; no message objects, views or sets are
 * made). Undefined when the header is v2 or continues elsewhere: the
 * caller then reads the whole header.
 */
function scanV1Kind(ctx: Context, address: number): ObjectKind | undefined {
  // One read for the prefix and, usually, the whole first chunk.
  let bytes = ctx.bytesUpTo(address, 512, "object header");
  if (bytes.length < 16 || bytes[0] !== 1) return undefined;
  const size = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
  if (size > 65536) return undefined;
  if (16 + size > bytes.length) bytes = ctx.bytes(address, 16 + size, "object header chunk");
  let group = false;
  let datatype = false;
  let dataspace = false;
  const end = 16 + size;
  let p = 16;
  while (p + 8 <= end) {
    const type = bytes[p] | (bytes[p + 1] << 8);
    const len = bytes[p + 2] | (bytes[p + 3] << 8);
    if (type === MSG.CONTINUATION || p + 8 + len > end) return undefined;
    if (type === MSG.SYMBOL_TABLE || type === MSG.LINK_INFO || type === MSG.LINK) group = true;
    else if (type === MSG.DATATYPE) datatype = true;
    else if (type === MSG.DATASPACE) dataspace = true;
    p += 8 + len;
  }
  // Same rule as kindOf.
  if (group) return "group";
  if (datatype) return dataspace ? "dataset" : "datatype";
  return "group";
}
