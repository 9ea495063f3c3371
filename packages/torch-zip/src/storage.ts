import { type DType, DTYPES, fail, swapBytes, swapUnit } from "@codec/core";
import { PyReconstructed } from "@codec/pickle";

/** Reads a storage's raw bytes (as stored, before any byte swap). */
export type StorageLoader = () => Promise<Uint8Array>;

/**
 * A torch storage as a persistent id names it (torch/serialization.py
 * `persistent_load`): `('storage', <storage class>, key, location, numel)`.
 * Bytes are read only when a tensor over it is requested, then cached, so
 * tensors that share a storage share one buffer. Tensors keep a reference
 * to this object: converters dedupe by `rootKey` + `byteOffset`.
 */
export class TorchStorage extends PyReconstructed {
  readonly kind = "torch.storage";
  private pending: Promise<Uint8Array> | undefined;

  constructor(
    /** Key of the storage record (`data/<key>` in zip files). */
    readonly key: string,
    /** Element dtype of the storage class (uint8 for UntypedStorage). */
    readonly dtype: DType,
    /** Elements, as the persistent id declares them. */
    readonly numel: number,
    /** Device tag (`cpu`, `cuda:0`); data is always loaded to memory. */
    readonly location: string,
    /** The pickled storage class, e.g. `FloatStorage`, kept for re-encoding. */
    readonly className: string,
    private readonly loader: StorageLoader,
    /** Stored big-endian (zip `byteorder` record says `big`): swapped on load. */
    readonly bigEndian = false,
    /** For legacy view storages: the root storage key and byte offset into it. */
    readonly rootKey: string = key,
    readonly byteOffset = 0,
    /**
     * CRC-32 of the storage bytes when the reader verified it (a zip record
     * read whole, no byte swap): writers reuse it instead of a second pass.
     */
    readonly verifiedCrc32: number | undefined = undefined,
  ) {
    super();
  }

  get byteLength(): number {
    return this.numel * DTYPES[this.dtype].size;
  }

  /** The storage's little-endian bytes (a view into the source when possible). */
  bytes(): Promise<Uint8Array> {
    this.pending ??= this.load();
    return this.pending;
  }

  private async load(): Promise<Uint8Array> {
    const raw = await this.loader();
    const need = this.byteLength;
    if (raw.length < need) {
      fail("CORRUPT", "torch", `storage '${this.key}' holds ${raw.length} bytes but declares ${this.numel} ${this.dtype} elements (${need} bytes)`);
    }
    const data = raw.length === need ? raw : raw.subarray(0, need);
    return this.bigEndian ? swapBytes(data, swapUnit(this.dtype)) : data;
  }
}
