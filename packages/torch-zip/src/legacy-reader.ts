import { type ByteSource, CodecError, DTYPES, fail, isCodecError } from "@codec/core";
import { looksTorchLegacy, type PyValue, TORCH_LEGACY_MAGIC, unpickleAt } from "@codec/pickle";
import { torchReconstructors } from "./rebuild.js";
import { TorchStorage } from "./storage.js";
import { parseStoragePid } from "./storage-pid.js";

const F = "torch";

/** torch/serialization.py PROTOCOL_VERSION of the legacy format (its MAGIC_NUMBER is @codec/pickle's TORCH_LEGACY_MAGIC). */
export const LEGACY_PROTOCOL_VERSION = 1001;

export interface LegacyDecoded {
  readonly value: PyValue;
  /** Root storages by key, in the order the pickle first referenced them. */
  readonly storages: Map<string, TorchStorage>;
  readonly sysInfo: PyValue;
  /** The storage keys pickle: the order in which storage data follows. */
  readonly keys: readonly string[];
  /** Offsets of the object pickle, the keys pickle, and where storage data starts. */
  readonly sections: { object: [number, number]; keys: [number, number]; dataStart: number };
  /** Attach the byte loader of a root storage (once its place in the file is known). */
  setLoader(key: string, loader: () => Promise<Uint8Array>): void;
}

/** True when the bytes start like a legacy torch file (a pickle of the magic number, any pickle protocol 0-5). */
export const looksLegacy: (head: Uint8Array) => boolean = looksTorchLegacy;

/** A POSIX tar (the pre-0.4 torch.save format): "ustar" at offset 257. */
export function looksTar(head: Uint8Array): boolean {
  return head.length >= 262 && head[257] === 0x75 && head[258] === 0x73 && head[259] === 0x74 && head[260] === 0x61 && head[261] === 0x72;
}

function bigOf(v: PyValue): bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}

/**
 * Decode the pickles of a legacy (`_use_new_zipfile_serialization=False`)
 * torch file, as torch/serialization.py `_legacy_load` reads it: magic
 * number pickle, protocol version pickle, sys_info pickle, the object pickle
 * (storage persistent ids, with legacy views), then the sorted storage keys
 * pickle. `bytes` may be a prefix of the file: a TRUNCATED error means more
 * is needed. Storage data (per key a u64 element count and the raw bytes)
 * is laid out by `layoutLegacyStorages`.
 */
export function decodeLegacyPickles(bytes: Uint8Array): LegacyDecoded {
  let pos = 0;
  const magic = unpickleAt(bytes, pos);
  if (bigOf(magic.value) !== TORCH_LEGACY_MAGIC) fail("BAD_MAGIC", F, "not a torch file: the first pickle is not torch's magic number", { offset: 0 });
  pos = magic.end;
  const proto = unpickleAt(bytes, pos);
  if (proto.value !== LEGACY_PROTOCOL_VERSION) fail("UNSUPPORTED", F, `legacy protocol version ${String(proto.value)} (expected 1001)`, { offset: pos });
  pos = proto.end;
  const sys = unpickleAt(bytes, pos);
  pos = sys.end;

  const roots = new Map<string, TorchStorage>();
  const views = new Map<string, TorchStorage>();
  const loaders = new Map<string, () => Promise<Uint8Array>>();
  const loaderFor = (key: string) => (): Promise<Uint8Array> => {
    const load = loaders.get(key);
    if (load === undefined) return Promise.reject(new CodecError("CORRUPT", F, `storage '${key}' has no data in the file`));
    return load();
  };
  const objectStart = pos;
  const obj = unpickleAt(bytes, pos, {
    reconstructors: torchReconstructors(),
    persistentLoad(pid) {
      const p = parseStoragePid(pid);
      if (p.type === "module") return p.cls;
      let root = roots.get(p.key);
      if (root === undefined) {
        root = new TorchStorage(p.key, p.dtype, p.numel, p.location, p.className, loaderFor(p.key));
        roots.set(p.key, root);
      } else if (root.dtype !== p.dtype) {
        fail("CORRUPT", F, `storage '${p.key}' is referenced as ${p.dtype} and as ${root.dtype}`);
      }
      if (p.view === null) return root;
      const v = p.view;
      const known = views.get(v.key);
      if (known !== undefined) return known;
      const size = DTYPES[p.dtype].size;
      if (v.offset + v.numel > root.numel) fail("CORRUPT", F, `storage view '${v.key}' exceeds its root storage '${p.key}'`);
      const r = root;
      const view = new TorchStorage(
        v.key,
        p.dtype,
        v.numel,
        p.location,
        p.className,
        async () => (await r.bytes()).subarray(v.offset * size, (v.offset + v.numel) * size),
        false,
        p.key,
        v.offset * size,
      );
      views.set(v.key, view);
      return view;
    },
  });
  pos = obj.end;
  const keysStart = pos;
  const keysPickle = unpickleAt(bytes, pos);
  const keyList = Array.isArray(keysPickle.value) ? keysPickle.value : null;
  if (keyList === null) return fail("CORRUPT", F, "legacy storage key list is not a list", { offset: keysStart });
  const keys = keyList.map((k) => (typeof k === "string" ? k : String(k)));
  for (const key of keys) {
    if (!roots.has(key)) fail("CORRUPT", F, `storage key '${key.slice(0, 40)}' is not used by the pickle`, { offset: keysStart });
  }
  return {
    value: obj.value,
    storages: roots,
    sysInfo: sys.value,
    keys,
    sections: { object: [objectStart, obj.end], keys: [keysStart, keysPickle.end], dataStart: keysPickle.end },
    setLoader: (key, loader) => loaders.set(key, loader),
  };
}

/**
 * Place each storage's bytes: per key (in the keys pickle's order) a u64
 * element count, little-endian on every host (torch's
 * THPStorage_writeFileRaw), that must equal the pickle's numel, then the
 * elements. Reads 8 bytes per storage; data is read when a tensor needs it.
 */
export async function layoutLegacyStorages(d: LegacyDecoded, source: ByteSource): Promise<number> {
  let pos = d.sections.dataStart;
  for (const key of d.keys) {
    const storage = d.storages.get(key) as TorchStorage;
    if (pos + 8 > source.byteLength) fail("TRUNCATED", F, `storage '${key}' size is past the end`, { offset: pos });
    const head = await source.read(pos, 8);
    const count = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    if (count !== BigInt(storage.numel)) {
      fail("CORRUPT", F, `storage '${key}' has ${count} elements in the file but the pickle declares ${storage.numel}`, { offset: pos });
    }
    const len = storage.byteLength;
    const at = pos + 8;
    if (at + len > source.byteLength) fail("TRUNCATED", F, `storage '${key}' data (${len} bytes) is past the end`, { offset: at });
    d.setLoader(key, () => source.read(at, len));
    pos = at + len;
  }
  return pos;
}

/**
 * Decode a legacy file from a ByteSource, reading a growing prefix until
 * the pickles fit (1 MiB first), then 8 bytes per storage: listing a large
 * legacy checkpoint does not read its storages.
 */
export async function openLegacySource(source: ByteSource, firstChunk = 1 << 20, maxPickleBytes = 1 << 30): Promise<LegacyDecoded> {
  let chunk = Math.min(source.byteLength, firstChunk, maxPickleBytes);
  for (;;) {
    const prefix = await source.read(0, chunk);
    let d: LegacyDecoded;
    try {
      d = decodeLegacyPickles(prefix);
    } catch (e) {
      if (isCodecError(e) && e.code === "TRUNCATED" && chunk < source.byteLength) {
        if (chunk >= maxPickleBytes) fail("LIMIT", F, `legacy pickles extend past ${maxPickleBytes} bytes`);
        chunk = Math.min(source.byteLength, chunk * 4, maxPickleBytes);
        continue;
      }
      throw e;
    }
    await layoutLegacyStorages(d, source);
    return d;
  }
}
