import {
  type ByteInput,
  type ByteSource,
  type JsonValue,
  type Tensor,
  type TensorInfo,
  type TensorInit,
  type TensorMap,
  type ZipArchive,
  type ZipEntry,
  ZipWriter,
  checkRange,
  fail,
  guardDecodeAsync,
  inflatePrefix,
  isCodecError,
  openZip,
  toByteSource,
} from "@codec/core";
import { NPY_PRELUDE_BYTES, type NpyHeader, parseNpyHeader, readNpyPrelude } from "./header.js";
import { type NpyReadOptions, type NpyWriteOptions, encodeNpyParts, tensorFromNpyData } from "./npy.js";

/**
 * .npz (numpy.savez / savez_compressed): a zip whose members are
 * `<name>.npy` files, stored by savez and deflated by savez_compressed.
 * Tensor names are the member names without `.npy`, as np.load's NpzFile
 * keys them. Members not ending in `.npy` are not arrays; they are listed
 * in metadata.npz.other_entries. Arrays of a dtype that holds no tensor
 * (strings, records, datetimes: an UNSUPPORTED header) do not fail the
 * open, as np.load only fails when such a key is read without the dtype
 * support; they are named in metadata.npz.unsupported_arrays with the reason.
 */

const METHOD_STORED = 0;

export interface NpzReadOptions extends NpyReadOptions {
  /**
   * Object-dtype members (pickles, which are never loaded) fail the open
   * with UNSAFE by default. With `skipObjectArrays` they are left out of
   * the map and named in metadata.npz.object_arrays instead, as np.load
   * would only fail when such a key is accessed.
   */
  skipObjectArrays?: boolean;
  /** Largest member the zip reader will inflate or copy (see ZipOpenOptions). */
  maxEntrySize?: number;
}

/** A window [offset, offset + length) of another source, for stored members. */
class SliceSource implements ByteSource {
  readonly byteLength: number;
  constructor(
    private readonly inner: ByteSource,
    private readonly offset: number,
    length: number,
  ) {
    this.byteLength = length;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    try {
      checkRange(this, offset, length, "npz");
    } catch (e) {
      return Promise.reject(e);
    }
    return this.inner.read(this.offset + offset, length);
  }
}

async function headerOfEntry(zip: ZipArchive, entry: ZipEntry, options: NpzReadOptions): Promise<NpyHeader> {
  const opts = { ...options, baseOffset: entry.dataOffset };
  if (entry.method === METHOD_STORED && entry.compressedSize === entry.size) {
    // Stored: read just the header bytes from the archive, nothing else.
    checkRange(zip.source, entry.dataOffset, entry.size, "npz");
    const member = new SliceSource(zip.source, entry.dataOffset, entry.size);
    const first = await member.read(0, Math.min(NPY_PRELUDE_BYTES, member.byteLength));
    const { dataOffset } = readNpyPrelude(first, opts);
    if (dataOffset > member.byteLength) {
      fail("TRUNCATED", "npy", `header needs ${dataOffset} bytes, member ${JSON.stringify(entry.name)} has ${member.byteLength}`, {
        offset: entry.dataOffset + member.byteLength,
      });
    }
    return parseNpyHeader(await member.read(0, dataOffset), opts);
  }
  // Deflated (savez_compressed): the header is inside the compressed stream.
  // Inflate just its prefix (the prelude, then the whole header); fall back
  // to inflating the member (CRC-checked) when that is not possible. The
  // data is inflated and CRC-checked on `get`.
  const noOffset = { ...options, baseOffset: undefined };
  const first = await inflatePrefix(zip, entry, NPY_PRELUDE_BYTES);
  if (first !== undefined) {
    const { dataOffset } = readNpyPrelude(first, noOffset);
    const head = dataOffset <= first.length ? first : await inflatePrefix(zip, entry, dataOffset);
    if (head !== undefined && head.length >= Math.min(dataOffset, entry.size)) return parseNpyHeader(head, noOffset);
  }
  return parseNpyHeader(await zip.read(entry), noOffset);
}

/** Open a .npz lazily: the zip directory and every member's .npy header are read now, data on `get`. */
export async function openNpz(input: ByteInput, options: NpzReadOptions = {}): Promise<TensorMap> {
  const source = toByteSource(input);
  return guardDecodeAsync("npz", async () => {
    const zip = await openZip(source, { format: "npz", maxEntrySize: options.maxEntrySize });
    const members = new Map<string, { entry: ZipEntry; header: NpyHeader }>();
    const others: string[] = [];
    const objects: string[] = [];
    const unsupported: { [name: string]: JsonValue } = {};
    let compressed = false;
    for (const entry of zip.entries) {
      if (!entry.name.endsWith(".npy")) {
        if (!entry.name.endsWith("/")) others.push(entry.name);
        continue;
      }
      const name = entry.name.slice(0, -4);
      // Duplicate member names: the last one wins, as in zipfile/np.load.
      members.delete(name);
      let header: NpyHeader;
      try {
        header = await headerOfEntry(zip, entry, options);
      } catch (e) {
        if (options.skipObjectArrays && isCodecError(e) && e.code === "UNSAFE") {
          objects.push(name);
          continue;
        }
        if (isCodecError(e) && e.code === "UNSUPPORTED") {
          // np.savez(weights=..., labels=np.array(["cat", "dog"])): the string member is no tensor; the rest still is.
          delete unsupported[name];
          unsupported[name] = e.message;
          continue;
        }
        throw e;
      }
      members.set(name, { entry, header });
      if (entry.method !== METHOD_STORED) compressed = true;
    }
    const npz: { [key: string]: JsonValue } = { compressed, entries: members.size };
    if (others.length > 0) npz.other_entries = others;
    if (objects.length > 0) npz.object_arrays = objects;
    // A later member of the same name replaces an earlier one (zipfile/np.load): keep whichever came last.
    for (const name of members.keys()) delete unsupported[name];
    if (Object.keys(unsupported).length > 0) npz.unsupported_arrays = unsupported;
    const lookup = (name: string) => {
      const m = members.get(name);
      if (m === undefined) return fail("USAGE", "npz", `no array named '${name}'`);
      return m;
    };
    return {
      format: "npz",
      metadata: { npz },
      names: () => [...members.keys()],
      info(name: string): TensorInfo {
        const { header } = lookup(name);
        return { name, dtype: header.dtype, shape: header.shape };
      },
      get(name: string): Promise<Tensor> {
        const { entry, header } = lookup(name);
        return guardDecodeAsync("npz", async () => {
          const bytes = await zip.read(entry);
          const base = entry.method === METHOD_STORED ? entry.dataOffset : 0;
          return tensorFromNpyData(header, bytes.subarray(Math.min(bytes.length, header.dataOffset)), base);
        });
      },
      close: () => zip.close(),
    };
  });
}

export interface NpzWriteOptions extends NpyWriteOptions {
  /** Deflate members, as numpy.savez_compressed does. Default false (numpy.savez). */
  compress?: boolean;
  /** Receives the archive chunk by chunk instead of returning it (see ZipWriterOptions.sink). */
  sink?: (chunk: Uint8Array) => void;
}

export type NamedTensors = Iterable<readonly [string, Tensor | TensorInit]> | { readonly [name: string]: Tensor | TensorInit };

function entriesOf(tensors: NamedTensors): Iterable<readonly [string, Tensor | TensorInit]> {
  if (Symbol.iterator in tensors) return tensors as Iterable<readonly [string, Tensor | TensorInit]>;
  return Object.entries(tensors as { readonly [name: string]: Tensor | TensorInit });
}

/**
 * Write tensors as a .npz: one `<name>.npy` member per tensor, stored (with
 * its data 64-byte aligned in the archive) or deflated with `compress`.
 * Returns the archive, or an empty array when streaming to `sink`.
 */
export function encodeNpz(tensors: NamedTensors, options: NpzWriteOptions = {}): Uint8Array {
  const zip = new ZipWriter({ sink: options.sink });
  for (const [name, tensor] of entriesOf(tensors)) {
    const [header, data] = encodeNpyParts(tensor, options);
    const member = new Uint8Array(header.length + data.length);
    member.set(header, 0);
    member.set(data, header.length);
    zip.add(`${name}.npy`, member, options.compress ? { compress: true } : { align: 64 });
  }
  return zip.finish();
}
