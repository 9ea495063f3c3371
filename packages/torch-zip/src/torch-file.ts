import {
  type ByteInput,
  type ByteSource,
  fail,
  guardDecodeAsync,
  type JsonValue,
  openZip,
  readAll,
  type Tensor,
  type TensorInfo,
  type TensorMap,
  toByteSource,
  type ZipArchive,
} from "@codec/core";
import type { PyValue } from "@codec/pickle";
import { looksLegacy, looksTar, openLegacySource } from "./legacy-reader.js";
import { decodeLegacyTar } from "./legacy-tar.js";
import { isNumpyLike, type LeafTensor, type NamedTensor, walkTorchTensors } from "./naming.js";
import type { TorchStorage } from "./storage.js";
import { TorchTensor, TorchUnsupportedTensor } from "./torch-tensor.js";
import { loadScriptClasses, scriptStateDict } from "./torchscript.js";
import { decodeTorchPickle, type TorchZipLayout, torchZipLayout } from "./zip-reader.js";

const F = "torch";

export type TorchKind = "zip" | "legacy" | "legacy-tar" | "torchscript";

export interface OpenTorchOptions {
  /** Largest zip record read into memory (zip-bomb bound for deflated records). Default 4 GiB. */
  maxEntrySize?: number;
  /**
   * Check the CRC-32 of every storage record read (default true). With
   * false, stored storages are plain views of the source (no pass over the
   * bytes); the pickles are always checked.
   */
  verifyChecksums?: boolean;
}

/**
 * A decoded PyTorch file: the TensorMap of its tensors (format "torch") plus
 * the whole decoded object graph. Tensor bytes are read on `get`, one
 * storage at a time; names and infos come from the pickle alone.
 */
export class TorchFile implements TensorMap {
  readonly format = "torch";
  readonly metadata: { [key: string]: JsonValue };
  private readonly byName = new Map<string, LeafTensor>();

  constructor(
    readonly kind: TorchKind,
    /** The decoded `data.pkl` (or legacy object pickle), tensors as TorchTensor. */
    readonly object: PyValue,
    named: readonly NamedTensor[],
    /** Every storage by record path (`data/0`, `constants/0`, or the legacy key). */
    readonly storages: ReadonlyMap<string, TorchStorage>,
    metadata: { [key: string]: JsonValue },
    /** TorchScript `constants.pkl`, decoded. */
    readonly constants: PyValue | undefined = undefined,
    /** The zip archive (zip and TorchScript files), for re-encoding and scanning. */
    readonly archive: ZipArchive | undefined = undefined,
    readonly layout: TorchZipLayout | undefined = undefined,
    private readonly closer: (() => Promise<void>) | undefined = undefined,
  ) {
    for (const n of named) if (!this.byName.has(n.name)) this.byName.set(n.name, n.value);
    // Format details stay nested so that `convert` does not carry them as string metadata.
    this.metadata = { torch: { ...metadata, kind, tensors: this.byName.size, storages: storages.size } };
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The tensor object behind a name (storage, offset, strides) for converters that dedupe shared storages. */
  tensorRef(name: string): LeafTensor {
    const t = this.byName.get(name);
    if (t === undefined) return fail("USAGE", F, `no tensor named '${name}'`);
    return t;
  }

  info(name: string): TensorInfo {
    const t = this.tensorRef(name);
    if (isNumpyLike(t)) {
      const x = t.tensor();
      return { name, dtype: x.dtype, shape: x.shape };
    }
    return { name, dtype: t.dtype, shape: t.shape };
  }

  get(name: string): Promise<Tensor> {
    return guardDecodeAsync(F, async () => {
      const t = this.tensorRef(name);
      if (isNumpyLike(t)) return t.tensor();
      return (t as TorchTensor | TorchUnsupportedTensor).load();
    });
  }

  async close(): Promise<void> {
    await this.closer?.();
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];

export function looksZip(head: Uint8Array): boolean {
  const at = (m: number[]) => head.length >= 4 && m.every((b, i) => head[i] === b);
  return at(ZIP_MAGIC) || at(ZIP_EMPTY);
}

/**
 * Open any PyTorch file: a torch.save zip archive (torch >= 1.6), a
 * TorchScript archive (torch.jit.save), or a legacy
 * (`_use_new_zipfile_serialization=False`) file. Listing reads only the zip
 * directory and the pickles; tensors read their storage on `get`.
 */
export function openTorch(input: ByteInput, options: OpenTorchOptions = {}): Promise<TorchFile> {
  return guardDecodeAsync(F, async () => {
    const source = toByteSource(input);
    const head = await source.read(0, Math.min(source.byteLength, 512));
    if (looksZip(head)) {
      const archive = await openZip(source, { format: F, maxEntrySize: options.maxEntrySize });
      return openTorchZip(archive, options.verifyChecksums ?? true);
    }
    if (looksLegacy(head)) return openLegacy(source);
    if (looksTar(head)) {
      // The pre-0.4 tar format: small, old files; read whole.
      const d = decodeLegacyTar(await readAll(source));
      return new TorchFile("legacy-tar", d.value, walkTorchTensors(d.value), d.storages, {});
    }
    return fail("BAD_MAGIC", F, "not a PyTorch file (neither a zip archive nor a legacy torch pickle)", { offset: 0 });
  });
}

async function openTorchZip(archive: ZipArchive, verify: boolean): Promise<TorchFile> {
  const layout = await torchZipLayout(archive);
  const data = await decodeTorchPickle(archive, layout, layout.dataPkl, "data", new Map(), verify);
  const meta: { [key: string]: JsonValue } = { root: layout.root, byteorder: layout.byteorder };
  if (layout.version !== undefined) meta.version = layout.version;
  if (!layout.torchscript) {
    return new TorchFile("zip", data.value, walkTorchTensors(data.value), data.storages, meta, undefined, archive, layout, () => archive.close());
  }
  let constants: PyValue | undefined;
  if (layout.constantsPkl !== undefined) {
    constants = (await decodeTorchPickle(archive, layout, layout.constantsPkl, "constants", data.storages, verify)).value;
  }
  const classes = await loadScriptClasses(archive, layout.root, data.value);
  const isTensor = (v: PyValue) => v instanceof TorchTensor || v instanceof TorchUnsupportedTensor;
  const named = scriptStateDict(data.value, classes, isTensor, (v, prefix) => walkTorchTensors(v, prefix));
  return new TorchFile(
    "torchscript",
    data.value,
    named as NamedTensor[],
    data.storages,
    meta,
    constants,
    archive,
    layout,
    () => archive.close(),
  );
}

async function openLegacy(source: ByteSource): Promise<TorchFile> {
  const d = await openLegacySource(source);
  return new TorchFile("legacy", d.value, walkTorchTensors(d.value), d.storages, {});
}
