import { type ByteInput, type ByteSource, type DType, MemorySource, Tensor, asCodecError, fail, guardDecode, guardDecodeAsync, keepShapeAlive, toByteSource } from "@codec/core";
import { type Attribute, type AttributeValue, type Dataspace, type Datatype, type ExternalFileSegment, type FillValue, type Filter, type Layout, type Link, UNLIMITED } from "../model.js";
import { readCacheImage } from "./cache-image.js";
import { Context, FORMAT } from "./context.js";
import { PageCache, SourceReader } from "./page-cache.js";
import { type Hyperslab, type ReadLimits, readDatasetRaw, readDatasetRawAsync } from "./dataset-reader.js";
import { type FilterDecode, type FilterImpl, FilterRegistry } from "./filters/registry.js";
import { type GlobalHeapCollection, globalHeapObject } from "./global-heap.js";
import type { RawAttribute } from "./messages/attribute.js";
import { spaceNumel } from "./messages/dataspace.js";
import { type DatasetInfo, type ObjectKind, Objects } from "./objects.js";
import { SharedMessages, sohmTableAddress } from "./shared.js";
import { type StoredChunkReader, storedChunkReader } from "./stored-chunks.js";
import { type Superblock, readSuperblock } from "./superblock.js";
import { type ElementValue, type HeapAccess, decodeElements, isStringType, tensorPlan } from "./values.js";
import { type ResolvedMapping, parseVirtualMappings, resolveMappings, virtualExtent } from "./virtual-dataset.js";

export interface OpenOptions {
  /** Filter implementations for this file only, by filter id (e.g. szip, blosc, zstd). */
  readonly filters?: Readonly<Record<number, { name: string; decode: FilterDecode }>>;
  /** Opens an external raw-data file (external storage layout). Not called unless given. */
  readonly externalFile?: (name: string) => ByteSource | Uint8Array | undefined;
  /** Opens the file an external link names; without it external links are reported, never followed. */
  readonly externalLink?: (file: string) => Hdf5File | undefined;
  /** Largest buffer one dataset read may allocate (default 2 GiB - 1). */
  readonly maxReadBytes?: number;
  /** A name for messages. */
  readonly name?: string;
}

export type Hdf5Object = Hdf5Group | Hdf5Dataset | Hdf5Datatype;

/**
 * An open HDF5 file (read side). Metadata is read lazily through the
 * ByteSource; `openHdf5File` needs a source with `readSync` (memory, local
 * file) or reads an async-only source (Blob, HTTP) into memory once.
 */
export class Hdf5File {
  readonly superblock: Superblock;
  readonly name: string | undefined;
  /** @internal */ readonly ctx: Context;
  /** @internal */ readonly objects: Objects;
  /** @internal */ readonly heapCache = new Map<number, GlobalHeapCollection>();
  /** @internal */ readonly options: OpenOptions;
  /** @internal */ readonly heap: HeapAccess;

  /** @internal */
  constructor(source: ByteSource, options: OpenOptions = {}) {
    if (!source.readSync) fail("USAGE", FORMAT, "Hdf5File needs a source with readSync; use openHdf5File for async sources");
    // Memory is read in place; other synchronous sources get a page cache for metadata reads.
    const direct = new SourceReader(source as ByteSource & { readSync(offset: number, length: number): Uint8Array });
    const io = source instanceof MemorySource ? direct : new PageCache(direct, source.byteLength);
    const extra: [number, FilterImpl][] = Object.entries(options.filters ?? {}).map(([id, f]) => [Number(id), f]);
    this.ctx = new Context(source, io, new FilterRegistry(extra));
    this.options = options;
    this.name = options.name ?? source.name;
    this.superblock = readSuperblock(this.ctx);
    this.objects = new Objects(this.ctx, new SharedMessages(this.ctx, sohmTableAddress(this.ctx, this.superblock.extensionAddress)));
    this.heap = {
      offsetSize: this.ctx.offsetSize,
      globalObject: (collection, index) => globalHeapObject(this.ctx, collection, index, this.heapCache),
      objectPath: (address) => this.pathOfAddress(address),
    };
    if (this.superblock.extensionAddress !== undefined) {
      const ext = this.objects.header(this.superblock.extensionAddress);
      // Message 0x18: metadata cache image (libhdf5 1.10 H5Pset_mdc_image_config): headers live in the image.
      // Message 0x18: metadata cache image (libhdf5 1.10 H5Pset_mdc_image_config): entries the
      // image holds were not written to their home addresses, so reads there come from the image.
      const image = ext.messages.find((m) => m.type === 0x18);
      if (image) this.ctx.overlay(readCacheImage(this.ctx, image.data, image.offset));
      for (const m of ext.messages) {
        if (m.type === 0x17 && m.data.length > 0 && m.data[0] === 0) {
          // File space info message version 0 (libhdf5 1.10 H5O__fsinfo_decode): strategy, threshold, and
          // with the "all persist" strategy (1) one free-space manager address per memory type (6).
          const need = 1 + 1 + this.ctx.lengthSize + (m.data[1] === 1 ? 6 * this.ctx.offsetSize : 0);
          if (need > m.data.length) fail("CORRUPT", FORMAT, "file space info message overruns its header message", { offset: m.offset });
        }
        // Driver info message (spec IV.A.2.u): version 0, 8-byte driver id, 2-byte size, then that many bytes.
        if (m.type !== 0x14) continue;
        const size = m.data.length >= 11 ? m.data[9] | (m.data[10] << 8) : -1;
        if (m.data.length < 11 || m.data[0] !== 0 || 11 + size > m.data.length) fail("CORRUPT", FORMAT, "driver info message overruns its header message", { offset: m.offset });
      }
    }
    // Reading the root header up front makes a broken file fail at open.
    this.objects.header(this.superblock.rootAddress);
  }

  get root(): Hdf5Group {
    return new Hdf5Group(this, "/", this.superblock.rootAddress);
  }

  /** The object at an absolute or root-relative path, following hard and soft links (and external ones through `externalLink`). */
  get(path: string): Hdf5Object | undefined {
    return guardDecode(FORMAT, () => this.resolve(path, 0));
  }

  /** @internal */
  resolve(path: string, depth: number): Hdf5Object | undefined {
    if (depth > 16) fail("LIMIT", FORMAT, `too many soft links while resolving ${path}`);
    const parts = path.split("/").filter((p) => p !== "" && p !== ".");
    let cur: Hdf5Object = this.root;
    let curPath = "";
    for (let i = 0; i < parts.length; i++) {
      if (!(cur instanceof Hdf5Group)) return undefined;
      const link: Link | undefined = cur.links().find((l) => l.name === parts[i]);
      if (!link) return undefined;
      const childPath = `${curPath}/${parts[i]}`;
      if (link.kind === "hard") cur = this.objectAt(link.address, childPath);
      else if (link.kind === "soft") {
        const target = link.target.startsWith("/") ? link.target : `${curPath}/${link.target}`;
        const t: Hdf5Object | undefined = this.resolve(target, depth + 1);
        if (!t) return undefined;
        cur = t;
      } else {
        const other: Hdf5File | undefined = this.options.externalLink?.(link.file);
        if (!other) return undefined;
        const t: Hdf5Object | undefined = other.get(link.path);
        if (!t) return undefined;
        cur = t;
      }
      curPath = childPath;
    }
    return cur;
  }

  /** @internal */
  objectAt(address: number, path: string): Hdf5Object {
    const kind: ObjectKind = this.objects.kind(address);
    if (kind === "group") return new Hdf5Group(this, path || "/", address);
    if (kind === "dataset") return new Hdf5Dataset(this, path, address);
    return new Hdf5Datatype(this, path, address);
  }

  private addressPaths: Map<number, string> | undefined;

  /** The first hard-link path (walk order) of the object at `address`; built once on demand. */
  pathOfAddress(address: number): string | undefined {
    if (!this.addressPaths) {
      const m = new Map<number, string>();
      for (const o of this.walk()) m.set(o.address, o.path);
      this.addressPaths = m;
    }
    return this.addressPaths.get(address);
  }

  /**
   * Every object reachable through hard links, each once (by address),
   * depth first in link-name order: what h5py's `visititems` lists.
   */
  *walk(): Generator<Hdf5Object> {
    const seen = new Set<number>([this.superblock.rootAddress]);
    const stack: Hdf5Group[] = [this.root];
    yield this.root;
    const visit = function* (file: Hdf5File, g: Hdf5Group): Generator<Hdf5Object> {
      for (const l of g.links()) {
        if (l.kind !== "hard" || seen.has(l.address)) continue;
        seen.add(l.address);
        let child: Hdf5Object;
        try {
          child = file.objectAt(l.address, g.path === "/" ? `/${l.name}` : `${g.path}/${l.name}`);
        } catch (e) {
          throw asCodecError(FORMAT, e);
        }
        yield child;
        if (child instanceof Hdf5Group) yield* visit(file, child);
      }
    };
    for (const g of stack) yield* visit(this, g);
  }

  /** Paths (without the leading '/') of every dataset. */
  datasetPaths(): string[] {
    // The same traversal as walk(), without generators or an object per
    // child: listing thousands of datasets mostly runs cold (interpreted)
    // code, so the work per link is what counts.
    return guardDecode(FORMAT, () => {
      const out: string[] = [];
      const objects = this.objects;
      const seen = new Set<number>([this.superblock.rootAddress]);
      const visit = (address: number, prefix: string): void => {
        for (const l of objects.links(address)) {
          if (l.kind !== "hard" || seen.has(l.address)) continue;
          seen.add(l.address);
          const kind = objects.kind(l.address);
          if (kind === "dataset") out.push(prefix + l.name);
          else if (kind === "group") visit(l.address, `${prefix}${l.name}/`);
        }
      };
      visit(this.superblock.rootAddress, "");
      return out;
    });
  }

  async close(): Promise<void> {
    await this.ctx.source.close?.();
  }
}

abstract class Hdf5Base {
  readonly file: Hdf5File;
  /** Absolute path ("/" for the root). */
  readonly path: string;
  /** Object header address (relative to the base address). */
  readonly address: number;

  constructor(file: Hdf5File, path: string, address: number) {
    this.file = file;
    this.path = path;
    this.address = address;
  }

  get name(): string {
    return this.path.slice(this.path.lastIndexOf("/") + 1);
  }

  /** Attributes with decoded values (compact and dense storage). */
  attributes(): Attribute[] {
    return guardDecode(FORMAT, () => this.file.objects.attributes(this.address).map((a) => decodeAttributeValue(this.file, a)));
  }

  /** Attribute datatypes/dataspaces with raw values, for tools that decode values themselves. */
  rawAttributes(): RawAttribute[] {
    return guardDecode(FORMAT, () => this.file.objects.attributes(this.address));
  }

  attribute(name: string): Attribute | undefined {
    return this.attributes().find((a) => a.name === name);
  }
}

export class Hdf5Group extends Hdf5Base {
  readonly kind = "group" as const;

  /** Links sorted by name: hard, soft and external (external ones are reported, not followed). */
  links(): Link[] {
    return guardDecode(FORMAT, () => this.file.objects.links(this.address));
  }

  get(name: string): Hdf5Object | undefined {
    const p = name.startsWith("/") ? name : this.path === "/" ? `/${name}` : `${this.path}/${name}`;
    return this.file.get(p);
  }
}

export class Hdf5Datatype extends Hdf5Base {
  readonly kind = "datatype" as const;

  get type(): Datatype {
    return guardDecode(FORMAT, () => this.file.objects.datatype(this.address));
  }
}

export class Hdf5Dataset extends Hdf5Base {
  readonly kind = "dataset" as const;
  private cached: DatasetInfo | undefined;

  /** @internal */
  get info(): DatasetInfo {
    if (!this.cached) {
      let info = guardDecode(FORMAT, () => this.file.objects.dataset(this.address));
      if (info.layout.kind === "virtual" && info.space.maxDims?.includes(UNLIMITED)) {
        // libhdf5 sizes an unlimited virtual dataset from its sources when it opens it.
        const base = info;
        const dims = guardDecode(FORMAT, () => virtualExtent(this.resolveVirtual(base, false), base.space.dims, base.space.maxDims));
        info = { ...info, space: { ...info.space, dims } };
      }
      this.cached = info;
    }
    return this.cached;
  }

  get type(): Datatype {
    return this.info.type;
  }
  get space(): Dataspace {
    return this.info.space;
  }
  get shape(): number[] {
    return this.info.space.kind === "null" ? [] : [...this.info.space.dims];
  }
  get layout(): Layout {
    return this.info.layout;
  }
  get filters(): readonly Filter[] {
    return this.info.filters;
  }
  get fill(): FillValue | undefined {
    return this.info.fill;
  }
  get external(): readonly ExternalFileSegment[] | undefined {
    return this.info.external;
  }

  /** The tensor dtype and shape this dataset reads as, or undefined when it is not a tensor (compound records, vlen sequences, references, opaque). */
  tensorInfo(): { dtype: DType; shape: number[] } | undefined {
    // A null dataspace (h5py.Empty) holds no elements and has no shape: h5py reads it as
    // Empty, not as an array, so it is not a tensor (a scalar would need one element).
    if (this.space.kind === "null") return undefined;
    const t = this.type;
    if (isStringType(t)) return { dtype: "string", shape: this.shape };
    const plan = tensorPlan(t);
    if (!plan) return undefined;
    return { dtype: plan.dtype, shape: [...this.shape, ...plan.innerDims] };
  }

  /**
   * For lossless copies of a chunked dataset: a lookup of each chunk's stored
   * (still filtered) bytes and filter mask by chunk coordinates.
   */
  storedChunks(): StoredChunkReader {
    return guardDecode(FORMAT, () => {
      const lookup = storedChunkReader(this.file.ctx, this.info, this.path);
      return (scaled: readonly number[]) => guardDecode(FORMAT, () => lookup(scaled));
    });
  }

  /** Raw element bytes in the file's encoding (C order over the selection). */
  readRaw(slab?: Hyperslab): Uint8Array {
    return guardDecode(FORMAT, () => readDatasetRaw(this.file.ctx, this.info, this.path, this.limits(), slab));
  }

  /** The dataset (or a hyperslab of it) as a Tensor: numeric, bool, complex or string. */
  read(slab?: Hyperslab): Tensor {
    return guardDecode(FORMAT, () => this.toTensor(slab, this.readRaw(slab)));
  }

  /**
   * Like `read`, but deflate(+shuffle) chunks are inflated on worker
   * threads in parallel when the runtime has them (Node); otherwise the
   * same as `read`.
   */
  async readAsync(slab?: Hyperslab): Promise<Tensor> {
    return guardDecodeAsync(FORMAT, async () => {
      const raw = await readDatasetRawAsync(this.file.ctx, this.info, this.path, this.limits(), slab);
      return this.toTensor(slab, raw);
    });
  }

  private limits(): ReadLimits {
    const base = { maxBytes: this.file.options.maxReadBytes ?? 0x7fffffff, externalFile: this.file.options.externalFile };
    const info = this.info;
    if (info.layout.kind !== "virtual") return base;
    return { ...base, virtual: () => this.resolveVirtual(info, true) };
  }

  /**
   * Open a virtual dataset's sources: "." is this file, others come from
   * the externalLink option (libhdf5 reads an unopenable source as fill).
   * Without that option, `strict` refuses and otherwise skips them.
   */
  private resolveVirtual(info: DatasetInfo, strict: boolean): ResolvedMapping[] {
    const layout = info.layout;
    if (layout.kind !== "virtual" || layout.globalHeapAddress === undefined) return [];
    const file = this.file;
    const path = this.path;
    const mappings = parseVirtualMappings(file.heap.globalObject(layout.globalHeapAddress, layout.globalHeapIndex), file.ctx.lengthSize, path);
    return resolveMappings(mappings, info.type, (name, dataset) => {
      let other: Hdf5File | undefined = file;
      if (name !== ".") {
        const open = file.options.externalLink;
        if (!open) {
          if (strict) fail("UNSUPPORTED", FORMAT, `virtual dataset ${path} maps file '${name}': pass the externalLink option to read it`);
          return undefined;
        }
        other = open(name);
      }
      const o = other?.get(dataset);
      if (!(o instanceof Hdf5Dataset)) return undefined;
      return { dims: o.shape, type: o.type, read: () => o.readRaw() };
    }, path);
  }

  private toTensor(slab: Hyperslab | undefined, raw: Uint8Array): Tensor {
    const t = this.type;
    const shape = slab ? [...slab.count] : this.shape;
    const n = slab ? slab.count.reduce((a, b) => a * b, 1) : spaceNumel(this.space);
    if (isStringType(t)) {
      return new Tensor({ dtype: "string", shape, data: decodeElements(t, raw, 0, n, this.file.heap) as string[], copied: true });
    }
    const plan = tensorPlan(t);
    if (!plan) fail("UNSUPPORTED", FORMAT, `dataset ${this.path} of ${describeType(t)} datatype is unsupported as a tensor (use values())`);
    const data = plan.identity ? raw : plan.convert(raw, n);
    return new Tensor({ dtype: plan.dtype, shape: [...shape, ...plan.innerDims], data, copied: data !== raw || data.buffer !== raw.buffer });
  }

  /** Every element decoded to JS values (records, strings, arrays, references), C order. */
  values(slab?: Hyperslab): ElementValue[] {
    return guardDecode(FORMAT, () => {
      const raw = this.readRaw(slab);
      const n = slab ? slab.count.reduce((a, b) => a * b, 1) : spaceNumel(this.space);
      return decodeElements(this.type, raw, 0, n, this.file.heap);
    });
  }
}

function describeType(t: Datatype): string {
  if (t.class === "floating-point" && t.size > 8) return `${t.size * 8}-bit floating-point (long double)`;
  return t.class === "vlen" ? `variable-length ${t.kind}` : t.class;
}

const MINIFLOATS: ReadonlySet<DType> = new Set<DType>(["bfloat16", "float8_e4m3fn", "float8_e5m2"]);

/** Decode an attribute's value: scalar -> one element, simple -> flat array (typed array for numbers), null -> null. */
export function decodeAttributeValue(file: Hdf5File, a: RawAttribute): Attribute {
  const n = spaceNumel(a.space);
  let value: AttributeValue;
  if (a.space.kind === "null") value = null;
  else {
    if (n * a.type.size > a.raw.length) fail("CORRUPT", FORMAT, `attribute '${a.name}' needs ${n * a.type.size} bytes, has ${a.raw.length}`, { offset: a.offset });
    const plan = tensorPlan(a.type);
    if (a.space.kind === "simple" && plan && plan.dtype !== "bool" && !plan.dtype.startsWith("complex")) {
      const bytes = plan.convert(a.raw.subarray(0, n * a.type.size), n);
      const m = plan.innerDims.reduce((x, y) => x * y, 1);
      const tensor = new Tensor({ dtype: plan.dtype, shape: [n * m], data: bytes });
      // Attribute values are plain numbers: bfloat16/float8 widen exactly to float32 (as before).
      value = (MINIFLOATS.has(plan.dtype) ? tensor.toFloat32() : tensor.typed()) as AttributeValue;
    } else {
      const els = decodeElements(a.type, a.raw, 0, n, file.heap);
      value = a.space.kind === "scalar" ? els[0] : els;
    }
  }
  return { name: a.name, type: a.type, space: a.space, value, nameCharset: a.nameCharset };
}

/** Open an HDF5 file from bytes or a ByteSource (sync sources are read lazily). */
export function openHdf5FileSync(input: Uint8Array | ArrayBuffer | ByteSource, options: OpenOptions = {}): Hdf5File {
  return guardDecode(FORMAT, () => new Hdf5File(toByteSource(input), options));
}

export async function openHdf5File(input: ByteInput, options: OpenOptions = {}): Promise<Hdf5File> {
  return guardDecodeAsync(FORMAT, async () => {
    let source = toByteSource(input);
    if (!source.readSync) {
      // Async-only sources (Blob, HTTP): fetch the file once, then read from memory.
      source = new MemorySource(await source.read(0, source.byteLength), source.name);
    }
    return new Hdf5File(source, options);
  });
}

// The per-file reader classes die with each closed file; one live instance of
// each keeps their V8 maps, so a GC between two opens does not throw away the
// optimised metadata walkers (see @codec/core keepShapeAlive).
{
  const source = new MemorySource(new Uint8Array(0));
  const ctx = keepShapeAlive(new Context(source, new PageCache(new SourceReader(source), 0), new FilterRegistry()));
  keepShapeAlive(new Objects(ctx, new SharedMessages(ctx, undefined)));
}
