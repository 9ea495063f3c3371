import { fail, guardDecodeAsync, type Tensor, utf8Encode, ZipWriter } from "@codec/core";
import { PyGlobal, PyTuple, type PyValue, pickle } from "@codec/pickle";
import { stateDictFrom } from "./from-tensor.js";
import { TorchStorage } from "./storage.js";
import { TorchTensor } from "./torch-tensor.js";

const F = "torch";

/** What `saveTorch` accepts: a PyValue graph (tensors as TorchTensor), or a flat name -> tensor map. */
export type TorchSaveInput = PyValue | Map<string, Tensor | TorchTensor> | { [name: string]: Tensor | TorchTensor };

export interface SaveTorchOptions {
  /**
   * Archive root directory. torch.save uses the output file's basename
   * without extension; default "archive" (as torch does for buffers).
   */
  archiveName?: string;
  /** Write ZIP64 records even when no size needs them (for testing readers without 4 GiB files). */
  forceZip64?: boolean;
}

/** Storage alignment of torch's PyTorchStreamWriter (caffe2/serialize/inline_container.cc kFieldAlignment). */
export const TORCH_ALIGNMENT = 64;
/** `kProducedFileFormatVersion` that torch.save writes to the `version` record. */
export const TORCH_FILE_VERSION = "3\n";

function isTensorLike(v: unknown): v is Tensor | TorchTensor {
  return v instanceof TorchTensor || (typeof v === "object" && v !== null && "dtype" in v && "shape" in v && "data" in v && typeof (v as Tensor).bytes === "function");
}

/** Turn the accepted inputs into the PyValue graph to pickle. */
export function toPickleValue(value: TorchSaveInput): PyValue {
  if (value instanceof Map) return stateDictFrom(value);
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => isTensorLike(v))) return stateDictFrom(entries as Array<[string, Tensor | TorchTensor]>);
    return fail("USAGE", F, "saveTorch takes a PyValue, a Map or a plain object of tensors");
  }
  return value as PyValue;
}

/** The root name torch.save derives from an output path: its basename without extension. */
export function archiveNameFor(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return stem === "" ? "archive" : stem;
}

/**
 * Pickle `value` as torch.save does (torch/serialization.py `_save`):
 * protocol 2, every storage replaced by the persistent id
 * ('storage', torch.<Type>Storage, key, 'cpu', numel); keys number the
 * storages in order of first use, so a storage shared by several tensors
 * is written once.
 */
export function pickleTorchObject(value: PyValue): { pkl: Uint8Array; storages: Array<[string, TorchStorage]> } {
  const keys = new Map<TorchStorage, string>();
  const pkl = pickle(value, {
    protocol: 2,
    persistentId(v: PyValue): PyValue | undefined {
      if (!(v instanceof TorchStorage)) return undefined;
      let key = keys.get(v);
      if (key === undefined) {
        key = String(keys.size);
        keys.set(v, key);
      }
      return new PyTuple(["storage", new PyGlobal("torch", v.className), key, "cpu", v.numel]);
    },
  });
  // torch writes data/<key> records in sorted(key) order (string sort).
  const storages = [...keys].map(([s, k]) => [k, s] as [string, TorchStorage]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { pkl, storages };
}

/**
 * Write a torch.save zip archive to `sink` chunk by chunk (records:
 * data.pkl, byteorder, data/<key> stored at 64-byte alignment, version,
 * .data/serialization_id; ZIP64 when sizes need it). Storages are read one
 * at a time, so peak memory is one storage.
 */
export function writeTorch(value: TorchSaveInput, sink: (chunk: Uint8Array) => void, options: SaveTorchOptions = {}): Promise<void> {
  return guardDecodeAsync(F, async () => {
    const root = options.archiveName ?? "archive";
    if (root === "" || root.includes("/")) fail("USAGE", F, `invalid archive name '${root}'`);
    const { pkl, storages } = pickleTorchObject(toPickleValue(value));
    const zip = new ZipWriter({ sink, forceZip64: options.forceZip64 });
    zip.add(`${root}/data.pkl`, pkl, { align: TORCH_ALIGNMENT });
    zip.add(`${root}/byteorder`, utf8Encode("little"), { align: TORCH_ALIGNMENT });
    let id = 0;
    for (const [key, storage] of storages) {
      const bytes = await storage.bytes();
      const entry = zip.add(`${root}/data/${key}`, bytes.subarray(0, storage.byteLength), { align: TORCH_ALIGNMENT, crc32: storage.verifiedCrc32 });
      id = (id * 31 + entry.crc32) >>> 0;
    }
    zip.add(`${root}/version`, utf8Encode(TORCH_FILE_VERSION), { align: TORCH_ALIGNMENT });
    // torch >= 2.0 adds a serialization id; any digits do (it is only compared for equality).
    const serial = `${id.toString().padStart(10, "0")}${storages.length.toString().padStart(10, "0")}`;
    zip.add(`${root}/.data/serialization_id`, utf8Encode(serial), { align: TORCH_ALIGNMENT });
    zip.finish();
  });
}

/** `torch.save` to bytes in memory. */
export async function saveTorch(value: TorchSaveInput, options: SaveTorchOptions = {}): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  await writeTorch(
    value,
    (c) => {
      chunks.push(c);
      total += c.length;
    },
    options,
  );
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
