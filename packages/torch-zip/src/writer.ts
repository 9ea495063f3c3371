import { crc32, fail, guardDecodeAsync, Tensor, utf8Encode, ZipWriter } from "@codec/core";
import { PyDict, PyGlobal, PyTuple, type PyValue, pickle } from "@codec/pickle";
import { type ByteSink, writeInOrder } from "./byte-sink.js";
import { collectSink } from "./collect-sink.js";
import { emptyOrderedDict, torchTensorFrom } from "./from-tensor.js";
import { TorchStorage } from "./storage.js";
import { TorchTensor } from "./torch-tensor.js";

const F = "torch";

/**
 * What `saveTorch` accepts: a PyValue graph (tensors as TorchTensor or core
 * Tensor), or plain JS objects / Maps of tensors and values. A flat object or
 * Map whose values are all tensors becomes a state dict (OrderedDict); other
 * plain objects become dicts.
 */
export type TorchSaveInput =
  | PyValue
  | Tensor
  | TorchSaveInput[]
  | Map<string, TorchSaveInput>
  | { [name: string]: TorchSaveInput };

function isCoreTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

function isTensorLike(v: unknown): v is Tensor | TorchTensor {
  return v instanceof TorchTensor || isCoreTensor(v);
}

/**
 * Turn the accepted inputs into the PyValue graph to pickle: core Tensors
 * become torch tensors over their own bytes (the same Tensor object twice
 * gives one storage), plain objects and Maps become dicts, and PyDict /
 * list / tuple containers are copied with their items converted. Objects
 * (PyObject, reconstructed values) are kept as they are.
 */
export function toPickleValue(value: TorchSaveInput): PyValue {
  const made = new Map<object, PyValue>();
  const convert = (v: TorchSaveInput): PyValue => {
    if (typeof v !== "object" || v === null || v instanceof Uint8Array) return v as PyValue;
    const hit = made.get(v);
    if (hit !== undefined) return hit;
    let out: PyValue;
    if (isCoreTensor(v)) out = torchTensorFrom(v);
    else if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype) {
      const entries: Array<[string, TorchSaveInput]> = v instanceof Map ? [...v] : Object.entries(v as Record<string, TorchSaveInput>);
      if (entries.length > 0 && entries.every(([, x]) => isTensorLike(x))) {
        const od = emptyOrderedDict();
        for (const [k, x] of entries) od.dictItems.push([k, convert(x)]);
        out = od;
      } else {
        const d = new PyDict();
        for (const [k, x] of entries) d.set(k, convert(x));
        out = d;
      }
    } else if (Array.isArray(v)) {
      const a: PyValue[] = [];
      made.set(v, a);
      for (const x of v) a.push(convert(x));
      return a;
    } else if (v instanceof PyDict) {
      const d = new PyDict();
      made.set(v, d);
      for (const [k, x] of v.entries()) d.set(k, convert(x));
      return d;
    } else if (v instanceof PyTuple) out = new PyTuple(v.items.map((x) => convert(x)));
    else out = v as PyValue;
    made.set(v, out);
    return out;
  };
  return convert(value);
}

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
export function writeTorch(value: TorchSaveInput, sink: ByteSink, options: SaveTorchOptions = {}): Promise<void> {
  return guardDecodeAsync(F, async () => {
    const root = options.archiveName ?? "archive";
    if (root === "" || root.includes("/")) fail("USAGE", F, `invalid archive name '${root}'`);
    const { pkl, storages } = pickleTorchObject(toPickleValue(value));
    await writeInOrder(sink, async (out) => {
      const zip = new ZipWriter({ sink: out.push, forceZip64: options.forceZip64 });
      zip.add(`${root}/data.pkl`, pkl, { align: TORCH_ALIGNMENT });
      zip.add(`${root}/byteorder`, utf8Encode("little"), { align: TORCH_ALIGNMENT });
      let id = 0;
      for (const [key, storage] of storages) {
        const bytes = (await storage.bytes()).subarray(0, storage.byteLength);
        // This storage's CRC while the previous one is still being written.
        const crc = storage.verifiedCrc32 ?? crc32(bytes);
        await out.drain(); // one storage in flight: memory stays bounded by the caller's tensors
        const entry = zip.add(`${root}/data/${key}`, bytes, { align: TORCH_ALIGNMENT, crc32: crc });
        id = (id * 31 + entry.crc32) >>> 0;
        await out.started(); // its write is under way before the next CRC starts
      }
      zip.add(`${root}/version`, utf8Encode(TORCH_FILE_VERSION), { align: TORCH_ALIGNMENT });
      // torch >= 2.0 adds a serialization id; any digits do (it is only compared for equality).
      const serial = `${id.toString().padStart(10, "0")}${storages.length.toString().padStart(10, "0")}`;
      zip.add(`${root}/.data/serialization_id`, utf8Encode(serial), { align: TORCH_ALIGNMENT });
      zip.finish();
    });
  });
}

/** `torch.save` to bytes in memory. */
export function saveTorch(value: TorchSaveInput, options: SaveTorchOptions = {}): Promise<Uint8Array> {
  return collectSink((sink) => writeTorch(value, sink, options));
}
