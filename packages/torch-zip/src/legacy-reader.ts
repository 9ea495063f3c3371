import { DTYPES, fail } from "@codec/core";
import { type PyValue, unpickleAt } from "@codec/pickle";
import { torchReconstructors } from "./rebuild.js";
import { TorchStorage } from "./storage.js";
import { parseStoragePid } from "./storage-pid.js";

const F = "torch";

/** torch/serialization.py MAGIC_NUMBER and PROTOCOL_VERSION of the legacy format. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
export const LEGACY_PROTOCOL_VERSION = 1001;

export interface LegacyDecoded {
  readonly value: PyValue;
  readonly storages: Map<string, TorchStorage>;
  readonly sysInfo: PyValue;
  /** Offsets of the pickles: magic, protocol, sys_info, object, storage keys, then storage data. */
  readonly sections: { object: [number, number]; keys: [number, number]; dataStart: number; dataEnd: number };
}

/** True when the bytes start like a legacy torch file (a pickle of the magic number). */
export function looksLegacy(head: Uint8Array): boolean {
  // PROTO 2, then LONG1 of 10 bytes holding 0x1950a86a20f9469cfc6c little-endian.
  const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic[i]) return false;
  return true;
}

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
 * Decode a legacy (`_use_new_zipfile_serialization=False`) torch file, as
 * torch/serialization.py `_legacy_load` reads it: magic number pickle,
 * protocol version pickle, sys_info pickle, the object pickle (storage
 * persistent ids, with legacy views), the sorted storage keys pickle, then
 * per key a u64 element count and the storage's raw bytes.
 */
export function decodeLegacy(bytes: Uint8Array): LegacyDecoded {
  if (looksTar(bytes)) fail("UNSUPPORTED", F, "tar-format torch files (torch.save before 0.4) are not supported");
  let pos = 0;
  const magic = unpickleAt(bytes, pos);
  if (bigOf(magic.value) !== LEGACY_MAGIC) fail("BAD_MAGIC", F, "not a torch file: the first pickle is not torch's magic number", { offset: 0 });
  pos = magic.end;
  const proto = unpickleAt(bytes, pos);
  if (proto.value !== LEGACY_PROTOCOL_VERSION) fail("UNSUPPORTED", F, `legacy protocol version ${String(proto.value)} (expected 1001)`, { offset: pos });
  pos = proto.end;
  const sys = unpickleAt(bytes, pos);
  pos = sys.end;
  // torch's THPStorage_writeFileRaw writes the count and the elements little-endian
  // on every host, so sys_info's little_endian flag does not affect the bytes.
  const littleEndian = true;

  const roots = new Map<string, TorchStorage>();
  const views = new Map<string, TorchStorage>();
  const dataOf = new Map<string, Uint8Array>();
  const loaderFor = (key: string) => async (): Promise<Uint8Array> => {
    const d = dataOf.get(key);
    if (d === undefined) return fail("CORRUPT", F, `storage '${key}' has no data in the file`);
    return d;
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
  const keys = unpickleAt(bytes, pos);
  pos = keys.end;
  const keyList = Array.isArray(keys.value) ? keys.value : null;
  if (keyList === null) return fail("CORRUPT", F, "legacy storage key list is not a list", { offset: keysStart });
  const dataStart = pos;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const k of keyList) {
    const key = typeof k === "string" ? k : String(k);
    const storage = roots.get(key);
    if (storage === undefined) fail("CORRUPT", F, `storage key '${key.slice(0, 40)}' is not used by the pickle`, { offset: pos });
    if (pos + 8 > bytes.length) fail("TRUNCATED", F, `storage '${key}' size is past the end`, { offset: pos });
    const count = view.getBigUint64(pos, littleEndian);
    if (count !== BigInt(storage.numel)) {
      fail("CORRUPT", F, `storage '${key}' has ${count} elements in the file but the pickle declares ${storage.numel}`, { offset: pos });
    }
    const len = storage.byteLength;
    if (pos + 8 + len > bytes.length) fail("TRUNCATED", F, `storage '${key}' data (${len} bytes) is past the end`, { offset: pos + 8 });
    dataOf.set(key, bytes.subarray(pos + 8, pos + 8 + len));
    pos += 8 + len;
  }
  const storages = new Map<string, TorchStorage>();
  for (const [k, s] of roots) storages.set(k, s);
  return {
    value: obj.value,
    storages,
    sysInfo: sys.value,
    sections: { object: [objectStart, obj.end], keys: [keysStart, keys.end], dataStart, dataEnd: pos },
  };
}
