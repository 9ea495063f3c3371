import { fail, numelOf, Tensor, utf8Encode } from "@codec/core";
import type { Dataspace, Datatype, FillValue, Filter } from "../model.js";
import { type AttributeInput, type NormalizedValue, normalizeAttribute, toDataspace } from "./attribute-input.js";
import { guessChunks } from "./chunk-guess.js";
import { chunkTreeLevels, encodeChunkTree, forEachChunk, type StoredChunk } from "./chunk-index.js";
import { type DenseAttributesPlan, encodeDenseAttributes, MAX_COMPACT_ATTRIBUTES, planDenseAttributes } from "./dense-attributes.js";
import { type DenseLinksPlan, encodeDenseLinks, MAX_COMPACT_LINKS, planDenseLinks } from "./dense-links.js";
import { chooseLatestIndex, encodeLatestIndex, placeLatestIndex } from "./latest-chunk-index.js";
import {
  align8,
  chunkBtreeNodeSize,
  GROUP_BTREE_NODE_SIZE,
  GROUP_INTERNAL_K,
  GROUP_LEAF_K,
  OFFSET_SIZE,
  SIGNATURE,
  SUPERBLOCK_V0_SIZE,
} from "./constants.js";
import { datatypeMessage } from "./datatype-encode.js";
import { headerMessages } from "./object-messages.js";
import { type DatasetW, type GroupW, type LinkChild, linkTarget, type Placed } from "./tree.js";
import {
  attributeMessageV3,
  dataspaceMessageV2,
  encodeObjectHeaderV2,
  encodeSuperblockV2,
  linkMessageOf,
  objectHeaderV2Size,
  SUPERBLOCK_V2_SIZE,
} from "./latest-format.js";
import { applyFilters, canApplyFilters, type DeflateFn, defaultDeflate, deflateFilter, FILTER_SHUFFLE, FLETCHER32_FILTER, shuffleFilter } from "./filters.js";
import { GlobalHeapBuilder } from "./global-heap.js";
import {
  compareNames,
  encodeGroupNodes,
  encodeLocalHeap,
  encodeSymbolEntry,
  groupMetadataSize,
  planGroup,
  type SymbolEntry,
} from "./group-structures.js";
import {
  attributeMessage,
  dataspaceMessage,
  encodeObjectHeader,
  MSG_ATTRIBUTE,
  objectHeaderSize,
} from "./messages.js";
import { datatypeForDType } from "./standard-types.js";
import { type EncodedElements, encodeElements, encodeVlenStrings, patchVlenSlots } from "./value-encode.js";

/**
 * Hdf5Writer: builds a file in the profile h5py writes by default
 * (superblock v0, version 1 object headers, symbol-table groups, attribute
 * message v1, layout message v3, fill value message v2, vlen strings in
 * global heap collections), with contiguous, compact or chunked datasets
 * (v1 B-tree chunk index) and the shuffle / deflate / fletcher32 filters;
 * or, with `profile: "latest"`, what h5py writes with libver="latest"
 * (see WriterOptions.profile and latest-format.ts).
 *
 * File layout: superblock, then every object's metadata (headers, B-trees,
 * local heaps, symbol nodes) depth-first, then the global heap collections,
 * then raw data, each block 8-byte aligned. Raw data is never copied until
 * `finish()` assembles the file; `writeTo()` streams it without copies.
 */

export interface DatasetOptions {
  /** Chunk shape, or true for h5py's automatic chunk shape. Implied by compression/shuffle/fletcher32. */
  chunks?: readonly number[] | boolean;
  /** "gzip" (= deflate, h5py's name) or a gzip level. */
  compression?: "gzip" | "deflate" | number;
  /** gzip level 0..9 (h5py's compression_opts; default 4 like h5py). */
  level?: number;
  shuffle?: boolean;
  fletcher32?: boolean;
  /** Maximum shape; `null` for an unlimited dimension (needs chunks). */
  maxShape?: readonly (number | null)[];
  /** Store the data in the object header (small datasets only). */
  compact?: boolean;
  /** Explicit filter pipeline (overrides compression/shuffle/fletcher32), e.g. when re-encoding. */
  filters?: readonly Filter[];
  /** Explicit fill value message fields (default: what h5py writes). */
  fill?: FillValue;
  /**
   * Already-filtered chunks to store as they are (a re-encode keeping the source's
   * pipeline and chunk shape): called with each chunk's coordinates; a chunk it
   * returns nothing for is filtered here.
   */
  storedChunk?: StoredChunkSource;
}

/** Stored chunk bytes (after the pipeline) and filter mask by chunk coordinates, or undefined. */
export type StoredChunkSource = (scaled: readonly number[]) => { readonly bytes: Uint8Array; readonly filterMask: number } | undefined;

/** A dataset given by HDF5 datatype: raw element bytes in the file's byte order, strings, or values. */
export interface DatasetInit {
  readonly type: Datatype;
  readonly space: Dataspace | readonly number[];
  readonly data: Uint8Array | readonly string[] | NormalizedValue["value"];
}


/** One placed raw-data block (for streaming). */
export interface RawPart {
  address: number;
  bytes: Uint8Array;
}

export interface WriterLayout {
  /** Superblock, metadata and global heaps: bytes [0, metadata.length). */
  metadata: Uint8Array;
  /** Raw data blocks after the metadata, in address order. */
  parts: RawPart[];
  size: number;
}

function splitPath(path: string): string[] {
  const parts = path.split("/").filter((p) => p.length > 0);
  for (const p of parts) if (p === "." || p === "..") fail("USAGE", "hdf5", `invalid path component '${p}' in ${path}`);
  return parts;
}

/**
 * Names (UTF-8) and link message sizes of a group's links in creation order
 * when libhdf5 would store them densely (more than 8 links), else undefined.
 */
function denseLinkInputs(g: GroupW): { names: Uint8Array[]; sizes: number[] } | undefined {
  if (g.children.size <= MAX_COMPACT_LINKS) return undefined;
  const names = [...g.children.keys()];
  return { names: names.map((n) => utf8Encode(n)), sizes: names.map((n) => linkMessageOf(n, linkTarget(g.children.get(n), 0)).length) };
}

/**
 * Names (UTF-8) and message sizes of an object's attributes in creation
 * order when libhdf5 would store them densely, else undefined: more than 8
 * attributes, or one whose message (with its 4-byte header) reaches 64 KiB
 * and so cannot be a header message (H5O__attr_create, H5O_MESG_MAX_SIZE).
 */
function denseAttributeInputs(p: Placed): { names: Uint8Array[]; sizes: number[] } | undefined {
  const tooBig = p.attrMessages.some((a) => a.msg.body.length + 4 >= 65536);
  if (p.attrMessages.length <= MAX_COMPACT_ATTRIBUTES && !tooBig) return undefined;
  return { names: [...p.node.attrs.keys()].map((n) => utf8Encode(n)), sizes: p.attrMessages.map((a) => a.msg.body.length) };
}

function isVlen(t: Datatype): boolean {
  return t.class === "vlen";
}

export interface WriterOptions {
  /** Deflate implementation for the gzip filter (default: node:zlib in Node, else fflate). */
  deflate?: DeflateFn;
  /**
   * "default": what h5py writes by default (superblock v0, v1 headers, symbol tables).
   * "latest": h5py's libver="latest" (superblock v2, v2 headers, link messages,
   * layout v4 with libhdf5's chunk index choice: single chunk, fixed array,
   * extensible array for one unlimited dimension, version 2 B-tree for more).
   */
  profile?: "default" | "latest";
}

export class Hdf5Writer {
  private readonly root: GroupW = { kind: "group", children: new Map(), attrs: new Map() };
  private readonly deflate: DeflateFn;
  private readonly latest: boolean;
  /** During layout(): each node's placement (link messages need their targets' header addresses). */
  private placedOf: Map<GroupW | DatasetW, Placed> | undefined;

  constructor(options: WriterOptions = {}) {
    this.deflate = options.deflate ?? defaultDeflate;
    this.latest = options.profile === "latest";
  }

  /** Create a group and any missing parents; existing groups are kept. */
  createGroup(path: string): void {
    this.group(splitPath(path), true, path);
  }

  private group(parts: readonly string[], create: boolean, path: string): GroupW {
    let g = this.root;
    for (const p of parts) {
      let next = g.children.get(p);
      if (next === undefined) {
        if (!create) fail("USAGE", "hdf5", `no group ${path}`);
        next = { kind: "group", children: new Map(), attrs: new Map() };
        g.children.set(p, next);
      }
      if (next.kind !== "group") fail("USAGE", "hdf5", `${path}: '${p}' is a ${next.kind === "dataset" ? "dataset" : `${next.kind} link`}, not a group`);
      g = next;
    }
    return g;
  }

  private node(path: string): GroupW | DatasetW {
    const parts = splitPath(path);
    if (parts.length === 0) return this.root;
    const parent = this.group(parts.slice(0, -1), false, path);
    const n = parent.children.get(parts[parts.length - 1]);
    if (n === undefined || n.kind === "soft" || n.kind === "external") fail("USAGE", "hdf5", `no object ${path}`);
    return n;
  }

  /**
   * Create a second (third, ...) hard link at `path` to the group or dataset
   * already at `existing`: one object with several names, as h5py's
   * `f[path] = f[existing]` makes. Its header counts the links.
   */
  createHardLink(path: string, existing: string): void {
    const target = this.node(existing);
    const parts = splitPath(path);
    if (parts.length === 0) fail("USAGE", "hdf5", "the root group cannot be a link");
    const parent = this.group(parts.slice(0, -1), true, path);
    const name = parts[parts.length - 1];
    if (parent.children.has(name)) fail("USAGE", "hdf5", `${path} already exists`);
    parent.children.set(name, target);
  }

  /**
   * Create a soft link at `path` to `target` (absolute or relative to the
   * link's group, resolved only when followed; it may dangle), creating
   * missing parent groups.
   */
  createSoftLink(path: string, target: string): void {
    const parts = splitPath(path);
    if (parts.length === 0) fail("USAGE", "hdf5", "the root group cannot be a soft link");
    if (target === "") fail("USAGE", "hdf5", `empty soft link target for ${path}`);
    const parent = this.group(parts.slice(0, -1), true, path);
    const name = parts[parts.length - 1];
    if (parent.children.has(name)) fail("USAGE", "hdf5", `${path} already exists`);
    parent.children.set(name, { kind: "soft", target });
  }

  /**
   * Create an external link at `path` to the object `objectPath` in `file`
   * (h5py's ExternalLink), kept as names and never followed. Only the latest
   * profile's groups hold them: libhdf5 stores link messages for them, which a
   * symbol table group (the default profile) cannot.
   */
  createExternalLink(path: string, file: string, objectPath: string): void {
    if (!this.latest) fail("UNSUPPORTED", "hdf5", `external link ${path}: only the "latest" profile stores external links`);
    const parts = splitPath(path);
    if (parts.length === 0) fail("USAGE", "hdf5", "the root group cannot be an external link");
    if (file === "" || objectPath === "") fail("USAGE", "hdf5", `external link ${path} needs a file and an object path`);
    const parent = this.group(parts.slice(0, -1), true, path);
    const name = parts[parts.length - 1];
    if (parent.children.has(name)) fail("USAGE", "hdf5", `${path} already exists`);
    parent.children.set(name, { kind: "external", file, path: objectPath });
  }

  /** Whether `path` names a group or dataset already created. */
  has(path: string): boolean {
    try {
      this.node(path);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Create a dataset from a core Tensor (dtype mapped as h5py would store
   * the numpy array) or from an explicit HDF5 datatype and data.
   */
  createDataset(path: string, data: Tensor | DatasetInit, options: DatasetOptions = {}): void {
    const parts = splitPath(path);
    if (parts.length === 0) fail("USAGE", "hdf5", "a dataset needs a name");
    const name = parts[parts.length - 1];
    const parent = this.group(parts.slice(0, -1), true, path);
    if (parent.children.has(name)) fail("USAGE", "hdf5", `${path} already exists`);
    const init: DatasetInit =
      data instanceof Tensor ? { type: datatypeForDType(data.dtype), space: data.shape, data: data.data } : data;
    let space = toDataspace(init.space);
    if (options.maxShape) {
      if (space.kind !== "simple" || options.maxShape.length !== space.dims.length) fail("USAGE", "hdf5", `${path}: maxShape must match the shape's rank`);
      space = { ...space, maxDims: options.maxShape.map((m) => (m === null ? Number.POSITIVE_INFINITY : m)) };
    }
    const count = space.kind === "simple" ? numelOf(space.dims, "hdf5") : space.kind === "scalar" ? 1 : 0;
    if (init.data instanceof Uint8Array && !isVlen(init.type) && init.data.length !== count * init.type.size) {
      fail("USAGE", "hdf5", `${path}: ${count} elements of ${init.type.size} bytes need ${count * init.type.size} bytes, got ${init.data.length}`);
    }
    // A shuffle entry without its element size (h5repack -f SHUF writes one for vlen data, whose chunks libhdf5 then
    // stores with the filter skipped) gets the type's size: libhdf5's shuffle refuses to run with no parameter, and
    // the chunks this writer filters are shuffled by that size (H5Z__set_local_shuffle stores the same value).
    const filters = options.filters
      ? options.filters.map((f) => (f.id === FILTER_SHUFFLE && f.clientData.length === 0 ? { ...f, clientData: [init.type.size] } : f))
      : this.filtersFor(init.type, options);
    const unlimited = space.maxDims?.some((m) => m === Number.POSITIVE_INFINITY) ?? false;
    let chunks: number[] | undefined;
    if (Array.isArray(options.chunks)) chunks = [...(options.chunks as readonly number[])];
    else if (options.chunks === true || filters.length > 0 || unlimited) {
      if (space.kind !== "simple") fail("USAGE", "hdf5", `${path}: scalar and empty datasets cannot be chunked`);
      chunks = guessChunks(space.dims, init.type.size);
    }
    if (chunks) {
      if (space.kind !== "simple" || chunks.length !== space.dims.length) fail("USAGE", "hdf5", `${path}: chunk rank must match the dataset rank`);
      for (let i = 0; i < chunks.length; i++) {
        if (!Number.isSafeInteger(chunks[i]) || chunks[i] < 1) fail("USAGE", "hdf5", `${path}: invalid chunk dimension ${chunks[i]}`);
        const max = space.maxDims?.[i] ?? space.dims[i];
        if (chunks[i] > max && max !== 0) fail("USAGE", "hdf5", `${path}: chunk dimension ${chunks[i]} exceeds the maximum ${max}`);
      }
      if (chunks.reduce((a, b) => a * b, init.type.size) >= 2 ** 32) fail("USAGE", "hdf5", `${path}: chunks must be smaller than 4 GiB`);
    } else if (filters.length > 0) {
      fail("USAGE", "hdf5", `${path}: filters need a chunked layout`);
    }
    const compact = options.compact === true && chunks === undefined;
    const fill: FillValue = options.fill ?? {
      allocTime: compact ? 1 : chunks ? 3 : 2,
      // h5py sets fill time "alloc" (0) for chunked datasets (so resizing fills) and for vlen types; else "ifset" (2).
      fillTime: chunks || isVlen(init.type) ? 0 : 2,
      defined: true,
      value: undefined,
    };
    parent.children.set(name, {
      kind: "dataset",
      type: init.type,
      space,
      data: init.data,
      chunks,
      filters,
      fill,
      compact,
      attrs: new Map(),
      storedChunk: chunks && !isVlen(init.type) ? options.storedChunk : undefined,
    });
  }

  private filtersFor(type: Datatype, o: DatasetOptions): Filter[] {
    const filters: Filter[] = [];
    // h5py's order: shuffle, then the compressor, then fletcher32 (checksum of the stored bytes).
    if (o.shuffle) filters.push(shuffleFilter(type.size));
    if (o.compression !== undefined) {
      if (typeof o.compression === "number") filters.push(deflateFilter(o.compression));
      else if (o.compression === "gzip" || o.compression === "deflate") filters.push(deflateFilter(o.level ?? 4));
      else fail("UNSUPPORTED", "hdf5", `compression '${String(o.compression)}' is not supported (gzip only)`);
    }
    if (o.fletcher32) filters.push(FLETCHER32_FILTER);
    return filters;
  }

  /** Set (or replace) an attribute on the group or dataset at `path` ("/" or "" is the root group). */
  setAttribute(path: string, name: string, value: AttributeInput): void {
    if (name.length === 0) fail("USAGE", "hdf5", "attribute names must not be empty");
    const node = this.node(path);
    node.attrs.set(name, { name, value: normalizeAttribute(value, `attribute ${name} of ${path || "/"}`) });
  }

  /** Lay out the file: metadata bytes plus the raw data blocks that follow them. */
  layout(): WriterLayout {
    const heap = new GlobalHeapBuilder();
    const placed: Placed[] = [];
    // Hard links to each object (the root's own counts as one, as libhdf5 counts it).
    const linkCount = new Map<GroupW | DatasetW, number>([[this.root, 1]]);

    // Phase 1: visit depth-first (children in name order), encode attribute values and dataset elements.
    // An object reached by a second hard link is laid out once, under its first path.
    const visited = new Set<GroupW | DatasetW>();
    const visit = (node: GroupW | DatasetW, path: string): void => {
      if (visited.has(node)) return;
      visited.add(node);
      const p: Placed = { path, node, header: 0, headerSize: 0, attrMessages: [] };
      placed.push(p);
      for (const a of node.attrs.values()) {
        const where = `attribute ${a.name} of ${path}`;
        const space = a.value.space;
        const count = space.kind === "simple" ? numelOf(space.dims, "hdf5") : space.kind === "scalar" ? 1 : 0;
        const enc = encodeElements(a.value.type, a.value.value, count, heap, where);
        const dt = datatypeMessage(a.value.type);
        const ds = this.latest ? dataspaceMessageV2(space) : dataspaceMessage(space);
        const body = this.latest ? attributeMessageV3(a.name, dt, ds, enc.bytes) : attributeMessage(a.name, dt, ds, enc.bytes);
        const msg = { type: MSG_ATTRIBUTE, flags: 0, body };
        p.attrMessages.push({ msg, dataAt: msg.body.length - enc.bytes.length, enc });
      }
      if (node.kind === "dataset") {
        p.raw = this.encodeDatasetElements(node, heap, path);
      } else {
        const names = [...node.children.keys()].sort(compareNames);
        for (const n of names) {
          const child = node.children.get(n) as LinkChild;
          if (child.kind === "soft" || child.kind === "external") continue;
          linkCount.set(child, (linkCount.get(child) ?? 0) + 1);
          visit(child, path === "/" ? `/${n}` : `${path}/${n}`);
        }
      }
    };
    visit(this.root, "/");
    for (const p of placed) p.links = linkCount.get(p.node) ?? 1;

    // Phase 2: metadata addresses. Message sizes do not depend on addresses.
    let at = this.latest ? SUPERBLOCK_V2_SIZE : SUPERBLOCK_V0_SIZE;
    const byNode = new Map<GroupW | DatasetW, Placed>();
    this.placedOf = byNode;
    for (const p of placed) {
      byNode.set(p.node, p);
      if (p.node.kind === "dataset" && p.node.chunks) {
        const ds = p.node;
        const chunks = ds.chunks as number[];
        if (this.latest) chooseLatestIndex(p, ds, chunks);
        else p.chunkIndex = "btree";
      }
      if (this.latest && p.node.kind === "group") {
        const links = denseLinkInputs(p.node);
        p.dense = links !== undefined && planDenseLinks(links.names, links.sizes, 0) !== undefined;
      }
      const attrs = this.latest ? denseAttributeInputs(p) : undefined;
      p.denseAttrs = attrs !== undefined && planDenseAttributes(attrs.names, attrs.sizes, 0) !== undefined;
      p.headerSize = this.latest ? objectHeaderV2Size(headerMessages(p, this.latest, this.placedOf)) : objectHeaderSize(headerMessages(p, this.latest, this.placedOf));
      p.header = at;
      at = align8(at + p.headerSize);
      if (p.denseAttrs && attrs) {
        p.denseAttributes = planDenseAttributes(attrs.names, attrs.sizes, at);
        at = align8(at + (p.denseAttributes as DenseAttributesPlan).totalSize);
      }
      if (p.node.kind === "group" && this.latest) {
        // Compact links live in the header (link messages); dense ones in a fractal heap + name index.
        const links = denseLinkInputs(p.node);
        if (p.dense && links) {
          p.denseLinks = planDenseLinks(links.names, links.sizes, at);
          at = align8(at + (p.denseLinks as DenseLinksPlan).totalSize);
        }
      } else if (p.node.kind === "group") {
        const group = p.node;
        const entries: SymbolEntry[] = [...group.children.keys()].sort(compareNames).map((name) => {
          const child = group.children.get(name);
          // createExternalLink refuses the default profile, so a symbol table never meets an external link.
          if (child?.kind === "external") return fail("UNSUPPORTED", "hdf5", `external link ${name} in a symbol table group`);
          return child?.kind === "soft" ? { name, address: 0, soft: child.target } : { name, address: 0 };
        });
        p.plan = planGroup(entries);
        const sizes = groupMetadataSize(p.plan);
        p.heapAt = at;
        at = align8(at + sizes.heap);
        p.snodAt = at;
        at += sizes.snods;
        p.btreeAt = at;
        at += sizes.btree;
        p.btreeRoot = p.btreeAt + (p.plan.levels.reduce((a, b) => a + b, 0) - 1) * GROUP_BTREE_NODE_SIZE;
      } else if (p.chunkIndex === "farray" || p.chunkIndex === "earray" || p.chunkIndex === "bt2") {
        at = placeLatestIndex(p, at);
      } else if (p.chunkIndex === "btree") {
        const ds = p.node as DatasetW;
        const nChunks = ds.space.dims.reduce((a, d, i) => a * Math.ceil(d / (ds.chunks as number[])[i]), 1);
        if (nChunks > 0) {
          p.chunkTreeNodes = chunkTreeLevels(nChunks).reduce((a, b) => a + b, 0);
          p.chunkTreeAt = at;
          at += p.chunkTreeNodes * chunkBtreeNodeSize(ds.space.dims.length);
        }
      }
    }
    // Symbol table entries now know their targets' addresses.
    for (const p of placed) {
      if (p.node.kind !== "group" || !p.plan) continue;
      for (const e of p.plan.entries) {
        if (e.soft !== undefined) continue;
        const child = byNode.get(p.node.children.get(e.name) as GroupW | DatasetW) as Placed;
        e.address = child.header;
        if (child.node.kind === "group") e.cache = { btree: child.btreeRoot as number, heap: child.heapAt as number };
      }
    }

    // Phase 3: global heap collections, then patch every vlen descriptor with their addresses.
    for (let i = 0; i < heap.count; i++) {
      heap.setAddress(i, at);
      at = align8(at + heap.size(i));
    }
    const metadataEnd = at;
    for (const p of placed) {
      for (const a of p.attrMessages) {
        if (a.enc.vlenSlots.length > 0) patchVlenSlots(a.msg.body.subarray(a.dataAt), a.enc.vlenSlots, heap);
      }
      if (p.raw && p.raw.vlenSlots.length > 0) patchVlenSlots(p.raw.bytes, p.raw.vlenSlots, heap);
    }

    // Phase 4: raw data (contiguous blocks and filtered chunks).
    const parts: RawPart[] = [];
    for (const p of placed) {
      const ds = p.node;
      if (ds.kind !== "dataset" || ds.compact || !p.raw) continue;
      const bytes = p.raw.bytes;
      if (!ds.chunks) {
        if (bytes.length > 0) {
          p.dataAt = at;
          parts.push({ address: at, bytes });
          at = align8(at + bytes.length);
        }
        continue;
      }
      const stored: StoredChunk[] = [];
      const chunkDims = ds.chunks;
      const canFilter = canApplyFilters(ds.filters);
      // Every filter marked skipped (spec IV.A.2.l filter mask): libhdf5 reads such chunks as stored.
      const skipAll = ds.filters.length >= 32 ? 0xffffffff : 2 ** ds.filters.length - 1;
      forEachChunk(bytes, ds.space.dims, chunkDims, ds.type.size, (offset, chunk) => {
        const given = ds.storedChunk?.(offset.map((o, d) => o / chunkDims[d]));
        let out: Uint8Array;
        let filterMask = 0;
        if (given !== undefined) {
          out = given.bytes;
          filterMask = given.filterMask;
        } else if (ds.filters.length === 0) {
          out = chunk;
        } else if (canFilter) {
          out = applyFilters(chunk, ds.filters, ds.type.size, p.path, this.deflate);
        } else {
          // A pipeline this writer cannot run (e.g. blosc kept by a re-encode) for a chunk the source never allocated.
          out = chunk;
          filterMask = skipAll;
        }
        stored.push({ offset, bytes: out, filterMask, address: at });
        parts.push({ address: at, bytes: out });
        at = align8(at + out.length);
      });
      p.stored = stored;
    }
    const size = at;

    // Phase 5: encode the metadata.
    const meta = new Uint8Array(metadataEnd);
    if (this.latest) encodeSuperblockV2(meta, size, (byNode.get(this.root) as Placed).header);
    else this.encodeSuperblock(meta, size, byNode.get(this.root) as Placed);
    for (const p of placed) {
      if (p.denseAttributes) {
        encodeDenseAttributes(meta, p.denseAttributes, p.attrMessages.map((a) => a.msg.body), p.attrMessages.map((a) => a.msg.flags));
      }
      if (p.node.kind === "group" && p.denseLinks) {
        const group = p.node;
        const messages = [...group.children.keys()].map((name) => linkMessageOf(name, linkTarget(group.children.get(name), 0, byNode)));
        encodeDenseLinks(meta, p.denseLinks, messages);
      } else if (p.node.kind === "group" && p.plan) {
        encodeLocalHeap(meta, p.heapAt as number, p.plan.heapData);
        encodeGroupNodes(meta, p.plan, p.snodAt as number, p.btreeAt as number);
      } else if (p.stored && p.stored.length > 0 && p.node.kind === "dataset") {
        if (p.chunkIndex === "farray" || p.chunkIndex === "earray" || p.chunkIndex === "bt2") {
          encodeLatestIndex(meta, p);
        } else if (p.chunkIndex === "btree") {
          encodeChunkTree(meta, p.chunkTreeAt as number, p.stored, p.node.chunks as number[], p.node.type.size);
        }
      }
      if (this.latest) encodeObjectHeaderV2(meta, p.header, headerMessages(p, this.latest, this.placedOf), p.path);
      else encodeObjectHeader(meta, p.header, headerMessages(p, this.latest, this.placedOf), p.path, p.links);
    }
    for (let i = 0; i < heap.count; i++) heap.encode(i, meta, heap.address({ collection: i, index: 0 }));
    return { metadata: meta, parts, size };
  }

  private encodeDatasetElements(ds: DatasetW, heap: GlobalHeapBuilder, path: string): EncodedElements {
    const count = ds.space.kind === "simple" ? numelOf(ds.space.dims, "hdf5") : ds.space.kind === "scalar" ? 1 : 0;
    if (ds.data instanceof Uint8Array && !isVlen(ds.type)) return { bytes: ds.data, vlenSlots: [] };
    if (ds.type.class === "vlen" && ds.type.kind === "string" && Array.isArray(ds.data) && ds.data.every((s) => typeof s === "string")) {
      if (ds.data.length !== count) fail("USAGE", "hdf5", `${path}: ${count} strings needed, got ${ds.data.length}`);
      return encodeVlenStrings(ds.data as string[], heap);
    }
    return encodeElements(ds.type, ds.data as NormalizedValue["value"], count, heap, `dataset ${path}`);
  }

  /** Superblock version 0 (spec II.A) with the root group's symbol table entry. */
  private encodeSuperblock(out: Uint8Array, eof: number, root: Placed): void {
    const view = new DataView(out.buffer, out.byteOffset);
    out.set(SIGNATURE, 0);
    // versions: superblock 0, free-space 0, root symbol table entry 0, reserved, shared header 0.
    out.set([0, 0, 0, 0, 0, OFFSET_SIZE, 8, 0], 8);
    view.setUint16(16, GROUP_LEAF_K, true);
    view.setUint16(18, GROUP_INTERNAL_K, true);
    view.setUint32(20, 0, true);
    view.setBigUint64(24, 0n, true); // base address
    view.setBigUint64(32, 0xffffffffffffffffn, true); // free-space info: undefined
    view.setBigUint64(40, BigInt(eof), true);
    view.setBigUint64(48, 0xffffffffffffffffn, true); // driver info: undefined
    encodeSymbolEntry(view, 56, 0, {
      name: "",
      address: root.header,
      cache: { btree: root.btreeRoot as number, heap: root.heapAt as number },
    });
  }

  /** The whole file as one buffer. */
  finish(): Uint8Array {
    const l = this.layout();
    const out = new Uint8Array(l.size);
    out.set(l.metadata, 0);
    for (const p of l.parts) out.set(p.bytes, p.address);
    return out;
  }

  /** Stream the file to `sink` in order, without copying raw data. */
  async writeTo(sink: (bytes: Uint8Array) => void | Promise<void>): Promise<number> {
    const l = this.layout();
    await sink(l.metadata);
    let pos = l.metadata.length;
    for (const p of l.parts) {
      if (p.address > pos) await sink(new Uint8Array(p.address - pos));
      await sink(p.bytes);
      pos = p.address + p.bytes.length;
    }
    if (l.size > pos) await sink(new Uint8Array(l.size - pos));
    return l.size;
  }
}
