import { type DType, fail } from "@codec/core";
import { PyGlobal, PyTuple, type PyValue } from "@codec/pickle";
import { storageClassDType } from "./dtypes.js";
import { describePyValue, pidInt, pidText } from "./rebuild.js";

/**
 * The storage persistent ids torch.save writes (torch/serialization.py):
 *   zip:    ('storage', storage_type, key, location, numel)
 *   legacy: ('storage', storage_type, root_key, location, numel, view_metadata)
 *           where view_metadata is None or (view_key, offset, view_numel)
 *   legacy: ('module', container_type, source_file, source)  -> the class itself
 * `storage_type` is a global like torch.FloatStorage (typed, torch 1.x and
 * 2.x) or torch.UntypedStorage (bytes; numel counts bytes).
 */
export interface StoragePid {
  readonly type: "storage";
  readonly className: string;
  readonly dtype: DType;
  readonly key: string;
  readonly location: string;
  readonly numel: number;
  readonly view: { key: string; offset: number; numel: number } | null;
}

export interface ModulePid {
  readonly type: "module";
  readonly cls: PyValue;
}

const F = "torch";

export function parseStoragePid(pid: PyValue): StoragePid | ModulePid {
  const items = pid instanceof PyTuple ? pid.items : Array.isArray(pid) ? pid : null;
  if (items === null || items.length < 1) return fail("CORRUPT", F, `persistent id must be a tuple, got ${describePyValue(pid)}`);
  const typename = pidText(items[0], "typename");
  if (typename === "module") return { type: "module", cls: items[1] ?? null };
  if (typename !== "storage") return fail("CORRUPT", F, `unknown persistent id type '${typename.slice(0, 40)}'`);
  if (items.length !== 5 && items.length !== 6) return fail("CORRUPT", F, `storage persistent id has ${items.length} fields, expected 5 or 6`);
  const cls = items[1];
  if (!(cls instanceof PyGlobal)) return fail("CORRUPT", F, `storage type must be a global, got ${describePyValue(cls)}`);
  const dtype = storageClassDType(cls.module, cls.name);
  if (dtype === undefined) return fail("UNSUPPORTED", F, `unknown storage type ${cls.qualifiedName}`);
  const key = pidText(items[2], "storage key");
  const location = pidText(items[3], "location");
  const numel = pidInt(items[4], "numel");
  let view: StoragePid["view"] = null;
  const vm = items[5];
  if (vm !== undefined && vm !== null) {
    const v = vm instanceof PyTuple ? vm.items : null;
    if (v === null || v.length !== 3) return fail("CORRUPT", F, "legacy storage view metadata must be (key, offset, numel)");
    view = { key: pidText(v[0], "view key"), offset: pidInt(v[1], "view offset"), numel: pidInt(v[2], "view numel") };
  }
  return { type: "storage", className: cls.name, dtype, key, location, numel, view };
}
