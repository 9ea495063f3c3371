import { type ByteInput, fail, guardDecodeAsync, numelOf } from "@codec/core";
import type { Attribute, AttributeValue, Datatype, FillValue } from "../model.js";
import { Hdf5Dataset, Hdf5Datatype, type Hdf5File, Hdf5Group, type OpenOptions, openHdf5File, openHdf5FileSync } from "../read/file.js";
import { type AddressMap, checkReferenceWidths, referenceKinds, remapRaw, remapRegion, remapValues } from "./reference-remap.js";
import { type DatasetOptions, Hdf5Writer, type WriterOptions } from "./writer.js";

/**
 * Lossless re-encode (`codec convert x.h5 y.h5`): read the whole file model
 * with the reader (groups, attributes with their datatypes and dataspaces,
 * datasets with datatype, shape, maximum shape, layout, chunk shape, filter
 * pipeline and fill value) and write it back in the default profile.
 *
 * Fixed-size data is copied as raw element bytes in the file's own encoding
 * (so big-endian types, custom floats, compounds and opaque data stay
 * bit-exact); variable-length data is decoded and re-stored in new global
 * heap collections. Soft and external links are kept as their paths. External raw data and virtual
 * datasets are copied into the output (h5repack does the same). What the writer cannot express fails
 * with UNSUPPORTED instead of being dropped: committed datatypes, region and HDF5 1.12 references, and
 * variable-length data under filters other than deflate, shuffle and fletcher32. Object references
 * (dimension scales) are rewritten to the objects' new addresses (reference-remap.ts).
 */

function containsClass(t: Datatype, cls: Datatype["class"]): boolean {
  if (t.class === cls) return true;
  switch (t.class) {
    case "compound":
      return t.members.some((m) => containsClass(m.type, cls));
    case "array":
    case "enum":
      return containsClass(t.base, cls);
    case "vlen":
      return t.kind === "sequence" && containsClass(t.base, cls);
    default:
      return false;
  }
}

function hasExternalLinks(file: Hdf5File): boolean {
  for (const o of file.walk()) if (o instanceof Hdf5Group && o.links().some((l) => l.kind === "external")) return true;
  return false;
}

export interface ReencodeOptions extends WriterOptions {
  /** Options for opening the source (filters, external files). */
  readonly open?: OpenOptions;
}

export async function reencodeHdf5(source: ByteInput, options: ReencodeOptions = {}): Promise<Uint8Array> {
  return guardDecodeAsync("hdf5", async () => {
    const file = await openHdf5File(source, options.open);
    // Keep the source's generation of structures: a file with superblock v2/v3 (h5py libver >= v108)
    // is written in the "latest" profile, whose v2 object headers and dense attribute storage hold
    // what version 1 headers cannot (e.g. an attribute past 64 KiB).
    // External links need link messages, which libhdf5 writes for such groups even in a version 0 file;
    // the default profile's symbol tables cannot hold them, so such a file is written in the latest profile.
    const profile = options.profile ?? (file.superblock.version >= 2 || hasExternalLinks(file) ? "latest" : "default");
    const first = copyTree(file, { ...options, profile }, undefined);
    if (!first.references) return first.bytes;
    // Object references (dimension scales, h5py ref_dtype) hold header addresses, which move. Header
    // addresses depend on message sizes, not on values, so the first copy shows where every object
    // lands; the second writes the references through that map, and is checked to land the same way.
    const placed = openHdf5FileSync(first.bytes);
    const map = new Map<number, number>();
    for (const [old, path] of first.paths) map.set(old, addressOf(placed, path));
    const second = copyTree(file, { ...options, profile }, map);
    const check = openHdf5FileSync(second.bytes);
    for (const [old, path] of first.paths) {
      if (addressOf(check, path) !== map.get(old)) fail("UNSUPPORTED", "hdf5", `object ${path} moved between the two passes of a re-encode with references`);
    }
    return second.bytes;
  });
}

function addressOf(file: Hdf5File, path: string): number {
  const o = file.get(path);
  if (!(o instanceof Hdf5Group || o instanceof Hdf5Dataset)) return fail("CORRUPT", "hdf5", `re-encoded copy lacks ${path}`);
  return o.address;
}

interface Copy {
  bytes: Uint8Array;
  /** Source header address -> first path of every object copied. */
  paths: Map<number, string>;
  /** Whether any object reference was written (through `refs`, or as null in the first pass). */
  references: boolean;
}

/** One copy of the whole tree; object references are rewritten through `refs` (all null when undefined). */
function copyTree(file: Hdf5File, options: WriterOptions, refs: AddressMap | undefined): Copy {
  const w = new Hdf5Writer(options);
  const state: CopyState = { file, w, refs, references: false };
  // Object header address -> first path; a link back to the root is a hard link to "/".
  const seen = new Map<number, string>([[file.root.address, "/"]]);
  const visit = (g: Hdf5Group): void => {
    copyAttributes(state, g, g.path);
    for (const link of g.links()) {
      const path = g.path === "/" ? `/${link.name}` : `${g.path}/${link.name}`;
      if (link.kind === "soft") {
        // Kept as a path: it may dangle or point anywhere, as it did in the source.
        w.createSoftLink(path, link.target);
        continue;
      }
      if (link.kind === "external") {
        // Kept as names, never followed (the other file may not exist, as in the source).
        w.createExternalLink(path, link.file, link.path);
        continue;
      }
      const first = seen.get(link.address);
      if (first !== undefined) {
        // One object, several names: the same object again, not a copy.
        w.createHardLink(path, first);
        continue;
      }
      seen.set(link.address, path);
      // By address, not by path: a path lookup per link re-walks every group on the way.
      const o = file.objectAt(link.address, path);
      if (o instanceof Hdf5Group) {
        w.createGroup(path);
        visit(o);
      } else if (o instanceof Hdf5Dataset) {
        copyDataset(state, o, path);
      } else if (o instanceof Hdf5Datatype) {
        fail("UNSUPPORTED", "hdf5", `cannot re-encode committed datatype ${path}`);
      }
    }
  };
  visit(file.root);
  return { bytes: w.finish(), paths: seen, references: state.references };
}

interface CopyState {
  readonly file: Hdf5File;
  readonly w: Hdf5Writer;
  readonly refs: AddressMap | undefined;
  references: boolean;
}

/**
 * Refuse references that cannot be rewritten; note the others (they need the second pass). Object
 * references may sit anywhere in a type; region references only as the whole element type (h5py's
 * regionref_dtype), and HDF5 1.12 revised references not at all.
 */
function referencesIn(state: CopyState, type: Datatype, what: string): "none" | "object" | "region" {
  if (type.class === "reference" && type.kind === "region" && !type.revised) {
    if (type.size !== 12) fail("UNSUPPORTED", "hdf5", `${what}: ${type.size}-byte region references (the output uses 8-byte addresses)`);
    state.references = true;
    return "region";
  }
  const kinds = referenceKinds(type);
  if (kinds.other) fail("UNSUPPORTED", "hdf5", `${what} holds region references inside other types, or HDF5 1.12 references`);
  if (!kinds.object) return "none";
  checkReferenceWidths(type, what);
  state.references = true;
  return "object";
}

/**
 * Attributes keep their datatype and dataspace; fixed-size values (opaque,
 * compound, fixed strings, numbers) are copied as their raw element bytes so
 * they stay bit-exact, and only values holding variable-length data are
 * decoded and re-stored (their heap addresses change).
 */
function copyAttributes(state: CopyState, o: Hdf5Group | Hdf5Dataset, path: string): void {
  const { w, refs, file } = state;
  const raw = o.rawAttributes();
  const decoded = raw.some((a) => containsClass(a.type, "vlen")) ? o.attributes() : undefined;
  raw.forEach((a, i) => {
    const what = `attribute ${a.name} of ${path}`;
    const refKind = referencesIn(state, a.type, what);
    const withRefs = refKind === "object";
    if (refKind === "region") {
      const count = a.space.kind === "simple" ? numelOf(a.space.dims, "hdf5") : a.space.kind === "scalar" ? 1 : 0;
      if (count * 12 > a.raw.length) fail("CORRUPT", "hdf5", `attribute '${a.name}' of ${path} needs ${count * 12} bytes, has ${a.raw.length}`, { offset: a.offset });
      const values = remapRegions(file, a.raw, count, refs, what);
      w.setAttribute(path, a.name, { type: a.type, space: a.space, value: a.space.kind === "scalar" ? values[0] : values });
      return;
    }
    if (containsClass(a.type, "vlen")) {
      const d = (decoded as Attribute[])[i];
      const value = withRefs ? remapValues(d.type, d.space.kind === "scalar", d.value, refs, what) : d.value;
      w.setAttribute(path, a.name, { type: d.type, space: d.space, value });
      return;
    }
    const count = a.space.kind === "simple" ? numelOf(a.space.dims, "hdf5") : a.space.kind === "scalar" ? 1 : 0;
    const bytes = count * a.type.size;
    if (bytes > a.raw.length) fail("CORRUPT", "hdf5", `attribute '${a.name}' of ${path} needs ${bytes} bytes, has ${a.raw.length}`, { offset: a.offset });
    const value = a.raw.subarray(0, bytes);
    w.setAttribute(path, a.name, { type: a.type, space: a.space, value: withRefs ? remapRaw(value, a.type, count, refs, what) : value });
  });
}

/**
 * A dataset with no fill value message at all (HDF5 1.4-era files) has an undefined
 * fill value in libhdf5 (H5D__open_oid maps the missing value's size 0 to "undefined"),
 * with the allocation time of its layout and fill time "if set"; keep it undefined.
 */
function undefinedFill(layout: string): FillValue {
  return { allocTime: layout === "compact" ? 1 : layout === "chunked" ? 3 : 2, fillTime: 2, defined: false, value: undefined };
}

function copyDataset(state: CopyState, ds: Hdf5Dataset, path: string): void {
  const { w, refs, file } = state;
  const type = ds.type;
  const refKind = referencesIn(state, type, `dataset ${path}`);
  const withRefs = refKind !== "none";
  const layout = ds.layout;
  const space = ds.space;
  const opts: DatasetOptions = {
    filters: ds.filters,
    fill: ds.fill ?? undefinedFill(layout.kind),
    compact: layout.kind === "compact",
    chunks: layout.kind === "chunked" ? [...layout.chunkDims] : undefined,
    maxShape: space.kind === "simple" && space.maxDims ? space.maxDims.map((m) => (m === Number.POSITIVE_INFINITY ? null : m)) : undefined,
  };
  // External raw storage and virtual datasets are materialised into this file, as h5repack does: their data is
  // read through the open options (externalFile / externalLink, else a clean UNSUPPORTED) and stored contiguous.
  const vlen = containsClass(type, "vlen");
  // Chunks of fixed-size data are copied in their stored form (same pipeline, same chunk shape):
  // bit-exact, and filters this package can only decode (blosc, lz4, bzip2, ...) survive.
  // Chunks holding references are rewritten instead (their addresses change).
  if (layout.kind === "chunked" && !vlen && !withRefs) opts.storedChunk = ds.storedChunks();
  let data: Uint8Array | AttributeValue[];
  if (refKind === "region") {
    const raw = ds.readRaw();
    data = remapRegions(file, raw, Math.floor(raw.length / 12), refs, `dataset ${path}`);
  } else if (vlen) {
    const values = ds.values();
    data = withRefs ? (remapValues(type, false, values, refs, `dataset ${path}`) as AttributeValue[]) : values;
  } else {
    const raw = ds.readRaw();
    data = withRefs ? remapRaw(raw, type, raw.length / Math.max(1, type.size), refs, `dataset ${path}`) : raw;
  }
  w.createDataset(path, { type, space, data }, opts);
  copyAttributes(state, ds, path);
}

/**
 * Region references (12 bytes: a global heap collection address and an object index) as the
 * writer's `{ heapObject }` values: the heap object (the dataset's header address, then its
 * serialised selection) with the address rewritten; null references stay null.
 */
function remapRegions(file: Hdf5File, raw: Uint8Array, count: number, refs: AddressMap | undefined, where: string): AttributeValue[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: AttributeValue[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const lo = view.getUint32(i * 12, true);
    const hi = view.getUint32(i * 12 + 4, true);
    const collection = hi * 2 ** 32 + lo;
    if (collection === 0 || (lo === 0xffffffff && hi === 0xffffffff)) {
      out[i] = null;
      continue;
    }
    const blob = file.heap.globalObject(collection, view.getUint32(i * 12 + 8, true));
    out[i] = { heapObject: remapRegion(blob, refs, where) };
  }
  return out;
}
