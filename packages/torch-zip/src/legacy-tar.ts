import { DTYPES, fail } from "@codec/core";
import { PyGlobal, PyTuple, type PyValue, unpickleAt } from "@codec/pickle";
import { storageClassDType } from "./dtypes.js";
import { rebuildCall } from "./from-tensor.js";
import { describePyValue, pidInt, pidText, torchReconstructors } from "./rebuild.js";
import { TorchStorage } from "./storage.js";
import { TorchTensor } from "./torch-tensor.js";

const F = "torch";

/** One member of a POSIX tar archive (ustar / pax, as Python's tarfile writes). */
export interface TarMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

function cString(b: Uint8Array, from: number, len: number): string {
  let end = from;
  while (end < from + len && b[end] !== 0) end++;
  return String.fromCharCode(...b.subarray(from, end));
}

/** The regular-file members of a tar archive (POSIX.1-1988 ustar headers, pax path records). */
export function tarMembers(bytes: Uint8Array): Map<string, TarMember> {
  const out = new Map<string, TarMember>();
  let pos = 0;
  let paxPath: string | undefined;
  while (pos + 512 <= bytes.length) {
    const h = bytes.subarray(pos, pos + 512);
    if (h.every((x) => x === 0)) break;
    const sizeText = cString(h, 124, 12).trim();
    if (h[124] & 0x80) fail("UNSUPPORTED", F, "tar member with a base-256 size", { offset: pos });
    if (!/^[0-7]*$/.test(sizeText)) fail("CORRUPT", F, `tar member size '${sizeText}' is not octal`, { offset: pos + 124 });
    const size = sizeText === "" ? 0 : Number.parseInt(sizeText, 8);
    const data = pos + 512;
    if (data + size > bytes.length) fail("TRUNCATED", F, "tar member data is past the end", { offset: data });
    const type = String.fromCharCode(h[156]);
    let name = cString(h, 0, 100);
    if (cString(h, 257, 5) === "ustar") {
      const prefix = cString(h, 345, 155);
      if (prefix !== "") name = `${prefix}/${name}`;
    }
    if (type === "x") {
      // pax extended header: "<len> path=<name>\n" records apply to the next member.
      const text = String.fromCharCode(...bytes.subarray(data, data + Math.min(size, 4096)));
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
      paxPath = m ? m[1] : undefined;
    } else if (type === "0" || type === "\0") {
      out.set(paxPath ?? name, { name: paxPath ?? name, offset: data, size });
      paxPath = undefined;
    } else {
      paxPath = undefined;
    }
    pos = data + Math.ceil(size / 512) * 512;
  }
  return out;
}

export interface LegacyTarDecoded {
  readonly value: PyValue;
  readonly storages: Map<string, TorchStorage>;
  readonly members: Map<string, TarMember>;
}

function keyOf(v: PyValue | undefined, what: string): string {
  // torch < 0.4 keyed storages and tensors by C pointers; persistent_load does int(saved_id).
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  const s = pidText(v, what).trim();
  return /^-?\d+$/.test(s) ? String(BigInt(s)) : s;
}

function i64(view: DataView, at: number, what: string): number {
  const v = view.getBigInt64(at, true);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) fail("CORRUPT", F, `${what} ${v} is out of range`, { offset: at });
  return Number(v);
}

/**
 * The pre-0.4 tar format, as torch/serialization.py `legacy_load` reads it:
 * `storages` (count pickle; per storage a (key, location, storage_type)
 * pickle, then a u64 element count and the bytes; then a list of storage
 * views), `tensors` (count pickle; per tensor a (key, storage_key, type)
 * pickle, i32 ndim, 4 padding bytes, ndim i64 sizes, ndim i64 strides, i64
 * storage offset) and `pickle` (the object, whose persistent ids name
 * tensors and storages by key, or a ('module', ...) tuple).
 */
export function decodeLegacyTar(bytes: Uint8Array): LegacyTarDecoded {
  const members = tarMembers(bytes);
  const member = (name: string): Uint8Array => {
    const m = members.get(name);
    if (m === undefined) return fail("CORRUPT", F, `legacy tar file has no '${name}' member`);
    return bytes.subarray(m.offset, m.offset + m.size);
  };
  const objects = new Map<string, PyValue>();
  const storages = new Map<string, TorchStorage>();

  const sb = member("storages");
  const sview = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
  let r = unpickleAt(sb, 0);
  const count = pidInt(r.value, "storage count");
  let pos = r.end;
  for (let i = 0; i < count; i++) {
    r = unpickleAt(sb, pos);
    pos = r.end;
    const t = r.value instanceof PyTuple ? r.value.items : null;
    if (t === null || t.length !== 3 || !(t[2] instanceof PyGlobal)) fail("CORRUPT", F, `legacy tar storage record is ${describePyValue(r.value)}`, { offset: pos });
    const cls = t[2] as PyGlobal;
    const dtype = storageClassDType(cls.module, cls.name);
    if (dtype === undefined) fail("UNSUPPORTED", F, `unknown storage type ${cls.qualifiedName}`);
    const key = keyOf(t[0], "storage key");
    if (pos + 8 > sb.length) fail("TRUNCATED", F, "legacy tar storage size is past the end");
    const numel = i64(sview, pos, "storage size");
    const len = numel * DTYPES[dtype].size;
    if (pos + 8 + len > sb.length) fail("TRUNCATED", F, `legacy tar storage '${key}' data is past the end`);
    const data = sb.subarray(pos + 8, pos + 8 + len);
    const s = new TorchStorage(key, dtype, numel, pidText(t[1], "location"), cls.name, async () => data);
    objects.set(key, s);
    storages.set(key, s);
    pos += 8 + len;
  }
  r = unpickleAt(sb, pos);
  const views = Array.isArray(r.value) ? r.value : [];
  for (const v of views) {
    const f = v instanceof PyTuple ? v.items : null;
    if (f === null || f.length !== 4) fail("CORRUPT", F, "legacy tar storage view must be (key, root_key, offset, numel)");
    const root = objects.get(keyOf(f[1], "root key"));
    if (!(root instanceof TorchStorage)) return fail("CORRUPT", F, "legacy tar storage view names an unknown root");
    const size = DTYPES[root.dtype].size;
    const offset = pidInt(f[2], "view offset");
    const numel = pidInt(f[3], "view numel");
    if (offset + numel > root.numel) fail("CORRUPT", F, "legacy tar storage view exceeds its root");
    const key = keyOf(f[0], "view key");
    objects.set(key, new TorchStorage(key, root.dtype, numel, root.location, root.className, async () => (await root.bytes()).subarray(offset * size, (offset + numel) * size), false, root.key, offset * size));
  }

  const tb = member("tensors");
  const tview = new DataView(tb.buffer, tb.byteOffset, tb.byteLength);
  r = unpickleAt(tb, 0);
  const ntensors = pidInt(r.value, "tensor count");
  pos = r.end;
  for (let i = 0; i < ntensors; i++) {
    r = unpickleAt(tb, pos);
    pos = r.end;
    const t = r.value instanceof PyTuple ? r.value.items : null;
    if (t === null || t.length !== 3) fail("CORRUPT", F, "legacy tar tensor record must be (key, storage_key, type)", { offset: pos });
    const storage = objects.get(keyOf(t[1], "storage key"));
    if (!(storage instanceof TorchStorage)) return fail("CORRUPT", F, "legacy tar tensor references a storage that does not exist");
    if (pos + 8 > tb.length) fail("TRUNCATED", F, "legacy tar tensor header is past the end");
    const ndim = tview.getInt32(pos, true);
    if (ndim < 0 || ndim > 64) fail("CORRUPT", F, `legacy tar tensor has ${ndim} dimensions`, { offset: pos });
    pos += 8;
    if (pos + (2 * ndim + 1) * 8 > tb.length) fail("TRUNCATED", F, "legacy tar tensor sizes are past the end");
    const shape: number[] = [];
    const stride: number[] = [];
    for (let d = 0; d < ndim; d++) shape.push(i64(tview, pos + 8 * d, "size"));
    for (let d = 0; d < ndim; d++) stride.push(i64(tview, pos + 8 * (ndim + d), "stride"));
    const offset = i64(tview, pos + 16 * ndim, "storage offset");
    pos += (2 * ndim + 1) * 8;
    const tensor = new TorchTensor(storage, storage.dtype, offset, shape, stride, "legacy_tar");
    tensor.source = rebuildCall(tensor);
    objects.set(keyOf(t[0], "tensor key"), tensor);
  }

  const value = unpickleAt(member("pickle"), 0, {
    reconstructors: torchReconstructors(),
    persistentLoad(pid) {
      if (pid instanceof PyTuple) return pid.items[0] ?? null; // ('module' class, source file, source)
      const o = objects.get(keyOf(pid, "persistent id"));
      if (o === undefined) return fail("CORRUPT", F, `legacy tar pickle references object ${describePyValue(pid)} that does not exist`);
      return o;
    },
  }).value;
  return { value, storages, members };
}
