import { checkRange, DTYPES, fail, utf8Decode, type ZipArchive, type ZipEntry } from "@codec/core";
import { type PyValue, unpickle } from "@codec/pickle";
import { torchReconstructors } from "./rebuild.js";
import { TorchStorage } from "./storage.js";
import { parseStoragePid } from "./storage-pid.js";

const F = "torch";

/** What the records of a torch zip archive say (caffe2/serialize/inline_container.cc). */
export interface TorchZipLayout {
  /** The archive root directory: the saved file's basename, or `archive`. */
  readonly root: string;
  readonly dataPkl: ZipEntry;
  /** `constants.pkl`: present in TorchScript archives. */
  readonly constantsPkl: ZipEntry | undefined;
  /** TorchScript archives have `constants.pkl` and a `code/` directory. */
  readonly torchscript: boolean;
  /** Storage byte order from the `byteorder` record (torch >= 2.1); little when absent. */
  readonly byteorder: "little" | "big";
  /** `version` (or `.data/version`) record text, trimmed. */
  readonly version: string | undefined;
}

/** Find the records of a torch zip archive; reads only the small text records. */
export async function torchZipLayout(archive: ZipArchive): Promise<TorchZipLayout> {
  const first = archive.entries[0];
  if (first === undefined) return fail("CORRUPT", F, "zip archive has no entries");
  // The archive root is whatever directory the first record sits in (torch uses the file's basename).
  let root = first.name.slice(0, Math.max(0, first.name.indexOf("/")));
  if (root === "" || archive.entry(`${root}/data.pkl`) === undefined) {
    // Re-zipped archives may start with another record: fall back to the shallowest */data.pkl.
    const candidates = archive.entries.filter((e) => e.name.endsWith("/data.pkl")).map((e) => e.name.slice(0, -"/data.pkl".length));
    candidates.sort((a, b) => a.length - b.length);
    if (candidates.length === 0) return fail("CORRUPT", F, "zip archive has no <root>/data.pkl record (not a torch file)");
    root = candidates[0];
  }
  const record = (name: string): ZipEntry | undefined => archive.entry(`${root}/${name}`);
  const dataPkl = record("data.pkl") as ZipEntry;
  const constantsPkl = record("constants.pkl");
  const torchscript = constantsPkl !== undefined || archive.entries.some((e) => e.name.startsWith(`${root}/code/`));
  let byteorder: "little" | "big" = "little";
  const bo = record("byteorder");
  if (bo !== undefined) {
    if (bo.size > 16) fail("CORRUPT", F, `byteorder record of ${bo.size} bytes`);
    const text = utf8Decode(await archive.read(bo), F).trim();
    if (text === "big") byteorder = "big";
    else if (text !== "little") fail("CORRUPT", F, `byteorder record says '${text.slice(0, 16)}', expected 'little' or 'big'`);
  }
  let version: string | undefined;
  const ver = record("version") ?? record(".data/version");
  if (ver !== undefined && ver.size <= 64) version = utf8Decode(await archive.read(ver), F).trim();
  return { root, dataPkl, constantsPkl, torchscript, byteorder, version };
}

/**
 * A record's bytes: CRC-checked through the zip reader, or (when the caller
 * opted out and the record is stored) a plain range of the source.
 */
function readRecord(archive: ZipArchive, entry: ZipEntry, verify: boolean): Promise<Uint8Array> {
  if (verify || entry.method !== 0 || entry.compressedSize !== entry.size) return archive.read(entry);
  checkRange(archive.source, entry.dataOffset, entry.size, F);
  return archive.source.read(entry.dataOffset, entry.size);
}

export interface DecodedPickle {
  readonly value: PyValue;
  /** Storages by key, in the order the pickle first referenced them. */
  readonly storages: Map<string, TorchStorage>;
}

/**
 * Decode `data.pkl` (or `constants.pkl`, whose storages live under
 * `constants/`) with torch's persistent_load: each storage id becomes a
 * lazy TorchStorage over its `data/<key>` record; the same key gives the
 * same object, so tensors that share a storage stay linked.
 */
export async function decodeTorchPickle(
  archive: ZipArchive,
  layout: TorchZipLayout,
  entry: ZipEntry,
  storageDir: "data" | "constants",
  storages: Map<string, TorchStorage> = new Map(),
  verifyChecksums = true,
): Promise<DecodedPickle> {
  const bytes = await archive.read(entry);
  const bigEndian = layout.byteorder === "big";
  const value = unpickle(bytes, {
    reconstructors: torchReconstructors(),
    persistentLoad(pid) {
      const p = parseStoragePid(pid);
      if (p.type === "module") return p.cls;
      const mapKey = `${storageDir}/${p.key}`;
      const known = storages.get(mapKey);
      if (known !== undefined) {
        if (known.dtype !== p.dtype || known.numel !== p.numel) {
          fail("CORRUPT", F, `storage '${p.key}' is referenced as ${p.numel} ${p.dtype} and as ${known.numel} ${known.dtype}`);
        }
        return known;
      }
      const name = `${layout.root}/${storageDir}/${p.key}`;
      const record = archive.entry(name);
      if (record === undefined) return fail("CORRUPT", F, `${entry.name} references storage '${p.key}' but the archive has no ${name} record`);
      // The record's CRC describes the storage bytes exactly when they are the whole record, unswapped, and checked on read.
      const wholeByteLength = p.numel * DTYPES[p.dtype].size;
      const crc = verifyChecksums && !bigEndian && wholeByteLength === record.size ? record.crc32 : undefined;
      const storage = new TorchStorage(p.key, p.dtype, p.numel, p.location, p.className, () => readRecord(archive, record, verifyChecksums), bigEndian, p.key, 0, crc);
      if (storage.byteLength > record.size) {
        fail("CORRUPT", F, `storage '${p.key}' declares ${p.numel} ${p.dtype} elements (${storage.byteLength} bytes) but its record holds ${record.size} bytes`);
      }
      storages.set(mapKey, storage);
      return storage;
    },
  });
  return { value, storages };
}
