import { fail } from "@codec/core";
import type { ForeignTensors, PyObject, PyValue } from "@codec/pickle";
import { decodeLegacyPickles } from "./legacy-reader.js";
import { isTorchLeaf, torchChildren } from "./naming.js";
import { torchReconstructors } from "./rebuild.js";
import { TorchStorage } from "./storage.js";
import { TorchTensor, TorchUnsupportedTensor } from "./torch-tensor.js";

/**
 * torch tensors inside pickles that plain `pickle.dump` / `joblib.dump`
 * wrote (not torch.save). `Tensor.__reduce_ex__` gives the usual
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`,
 * but with no persistent_id a storage pickles itself as
 * `torch.storage._load_from_bytes(b)` (torch/storage.py
 * `_StorageBase.__reduce__`), whose bytes are a legacy torch.save file
 * (`_use_new_zipfile_serialization=False`) of that one storage. Here that
 * call is decoded (never executed) with the legacy reader, so the tensors
 * list and read like a checkpoint's, named by the pickle package's walk.
 */

const F = "torch";
const MARKER = new TextEncoder().encode("_load_from_bytes");

/** Reads the nested legacy file of `_load_from_bytes(b)`: its one root storage, bytes viewed in `b`. */
function storageFromBytes(args: PyValue[], obj: PyObject): PyValue | undefined {
  const b = args[0];
  if (!(b instanceof Uint8Array)) return fail("CORRUPT", F, "torch.storage._load_from_bytes: argument must be bytes");
  const d = decodeLegacyPickles(b);
  if (!(d.value instanceof TorchStorage)) return fail("CORRUPT", F, "torch.storage._load_from_bytes: the nested file does not hold a storage");
  // Storage data follows the pickles: per key a u64 little-endian element count, then the elements.
  let pos = d.sections.dataStart;
  for (const key of d.keys) {
    const storage = d.storages.get(key) as TorchStorage;
    if (pos + 8 > b.length) fail("TRUNCATED", F, `nested storage '${key}' size is past the end of its bytes`, { offset: pos });
    const count = new DataView(b.buffer, b.byteOffset + pos, 8).getBigUint64(0, true);
    if (count !== BigInt(storage.numel)) fail("CORRUPT", F, `nested storage '${key}' has ${count} elements but its pickle declares ${storage.numel}`);
    const at = pos + 8;
    const len = storage.byteLength;
    if (at + len > b.length) fail("TRUNCATED", F, `nested storage '${key}' data (${len} bytes) is past the end of its bytes`, { offset: at });
    const data = b.subarray(at, at + len);
    d.setLoader(key, () => Promise.resolve(data));
    pos = at + len;
  }
  d.value.source ??= obj;
  return d.value;
}

let cached: ForeignTensors | undefined;

/**
 * The rules @codec/pickle's `openPickle` / `openJoblib` take to list torch
 * tensors in plain pickles: reconstructors for the storage call and torch's
 * rebuild functions, torch leaves (sparse tensors by their parts), and how
 * to read them. Pickles without a `_load_from_bytes` call decode as before.
 */
export function torchInPickle(): ForeignTensors {
  cached ??= {
    reconstructors: { ...torchReconstructors(), "torch.storage._load_from_bytes": storageFromBytes },
    mayContain: (bytes) => indexOf(bytes, MARKER) >= 0,
    isTensor: (v) => isTorchLeaf(v) && (v instanceof TorchTensor || v instanceof TorchUnsupportedTensor),
    children: torchChildren,
    info: (v) => {
      if (v instanceof TorchTensor || v instanceof TorchUnsupportedTensor) return { dtype: v.dtype, shape: v.shape };
      return fail("USAGE", F, "not a torch tensor");
    },
    load: (v) => {
      if (v instanceof TorchTensor || v instanceof TorchUnsupportedTensor) return v.load();
      return fail("USAGE", F, "not a torch tensor");
    },
  };
  return cached;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  for (let i = hay.indexOf(needle[0]); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(needle[0], i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}
