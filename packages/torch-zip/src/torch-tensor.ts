import { type DType, DTYPES, fail, numelOf, stridedToContiguous, Tensor } from "@codec/core";
import { PyReconstructed } from "@codec/pickle";
import type { TorchStorage } from "./storage.js";

/** Largest C-contiguous copy of a view that repeats storage elements (expand): 1 GiB. */
export const MAX_EXPANDED_BYTES = 1 << 30;

/**
 * A tensor as `torch._utils._rebuild_tensor_v2` (and v3, `_rebuild_parameter`)
 * describes it: a view (offset, size, stride, in elements) into a storage.
 * Nothing is read until `load()`; then contiguous views are zero-copy and
 * other views (transposed, sliced, expanded) are materialised C-contiguous
 * with `copied: true`.
 */
export class TorchTensor extends PyReconstructed {
  readonly kind = "torch.tensor";
  /** Set by `_rebuild_parameter*`: this is an `nn.Parameter`. */
  isParameter = false;
  /** `requires_grad` as pickled. */
  requiresGrad = false;
  /** Set by `_rebuild_qtensor`: the elements are a quantized tensor's stored integers (`int_repr()`). */
  quantized = false;

  constructor(
    readonly storage: TorchStorage,
    readonly dtype: DType,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    /** Which rebuild function made it (for messages and re-encoding). */
    readonly rebuilder: string,
  ) {
    super();
    const numel = numelOf(shape, "torch");
    if (stride.length !== shape.length) fail("CORRUPT", "torch", `tensor has ${shape.length} dims but ${stride.length} strides`);
    if (!Number.isSafeInteger(storageOffset) || storageOffset < 0) fail("CORRUPT", "torch", `invalid storage offset ${storageOffset}`);
    for (const s of stride) if (!Number.isSafeInteger(s) || s < 0) fail("CORRUPT", "torch", `invalid stride ${s}`);
    if (numel > 0) {
      // Highest element the view touches must lie inside the storage (checked again on load).
      let hi = storageOffset;
      for (let d = 0; d < shape.length; d++) hi += stride[d] * (shape[d] - 1);
      if (!Number.isSafeInteger(hi) || hi >= this.storageElements) {
        fail("CORRUPT", "torch", `tensor view [${shape.join(", ")}] strides [${stride.join(", ")}] offset ${storageOffset} exceeds storage '${storage.key}' (${this.storageElements} ${dtype} elements)`);
      }
    }
  }

  /** Storage size in elements of this tensor's dtype. */
  get storageElements(): number {
    return Math.floor(this.storage.byteLength / DTYPES[this.dtype].size);
  }

  get numel(): number {
    return numelOf(this.shape, "torch");
  }

  /** True when the view is C-contiguous (size-1 dims may have any stride). */
  get isContiguous(): boolean {
    let expect = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      if (this.shape[d] === 1) continue;
      if (this.stride[d] !== expect) return false;
      expect *= this.shape[d];
    }
    return true;
  }

  /** Byte offset of the first element within the storage. */
  get byteOffset(): number {
    return this.storageOffset * DTYPES[this.dtype].size;
  }

  async load(): Promise<Tensor> {
    const bytes = await this.storage.bytes();
    const size = DTYPES[this.dtype].size;
    const n = this.numel;
    if (n === 0) return new Tensor({ dtype: this.dtype, shape: this.shape, data: new Uint8Array(0) });
    if (this.isContiguous) {
      const start = this.storageOffset * size;
      const end = start + n * size;
      if (end > bytes.length) fail("CORRUPT", "torch", `tensor exceeds storage '${this.storage.key}'`);
      return new Tensor({ dtype: this.dtype, shape: this.shape, data: bytes.subarray(start, end) });
    }
    // Views that repeat elements (expand, stride 0) materialise more bytes than the
    // storage holds; bound that so a tiny file cannot demand a huge allocation.
    const outBytes = n * size;
    if (outBytes > bytes.length && outBytes > MAX_EXPANDED_BYTES) {
      fail("LIMIT", "torch", `view [${this.shape.join(", ")}] of storage '${this.storage.key}' would materialise ${outBytes} bytes from ${bytes.length}`);
    }
    const data = stridedToContiguous(bytes, size, this.shape, this.stride, this.storageOffset, "torch");
    return new Tensor({ dtype: this.dtype, shape: this.shape, data, copied: true });
  }
}

/** A sparse COO tensor (`torch._utils._rebuild_sparse_tensor`): indices and values tensors. */
export class TorchSparseTensor extends PyReconstructed {
  readonly kind = "torch.sparse_coo";
  constructor(
    readonly indices: TorchTensor,
    readonly values: TorchTensor,
    readonly shape: readonly number[],
  ) {
    super();
  }
}

/** torch's accessor names of the two index tensors of each compressed sparse layout. */
export const COMPRESSED_INDEX_NAMES: Readonly<Record<string, readonly [string, string]>> = {
  "torch.sparse_csr": ["crow_indices", "col_indices"],
  "torch.sparse_bsr": ["crow_indices", "col_indices"],
  "torch.sparse_csc": ["ccol_indices", "row_indices"],
  "torch.sparse_bsc": ["ccol_indices", "row_indices"],
};

/**
 * A compressed sparse tensor (CSR/CSC/BSR/BSC): torch pickles it as
 * `(compressed_indices, plain_indices, values, size)` (torch 1.13
 * `_rebuild_sparse_csr_tensor` for CSR, torch >= 2.0 `_rebuild_sparse_tensor`
 * for all four). Its parts are named with torch's accessors
 * (`crow_indices`/`col_indices` or `ccol_indices`/`row_indices`, `values`).
 */
export class TorchSparseCompressedTensor extends PyReconstructed {
  readonly kind = "torch.sparse_compressed";
  constructor(
    /** `torch.sparse_csr`, `torch.sparse_csc`, `torch.sparse_bsr` or `torch.sparse_bsc`. */
    readonly layout: string,
    readonly compressedIndices: TorchTensor,
    readonly plainIndices: TorchTensor,
    readonly values: TorchTensor,
    readonly shape: readonly number[],
  ) {
    super();
  }

  /** The parts with their names, in the pickled order. */
  parts(): Array<[string, TorchTensor]> {
    const [c, p] = COMPRESSED_INDEX_NAMES[this.layout] ?? ["compressed_indices", "plain_indices"];
    return [
      [c, this.compressedIndices],
      [p, this.plainIndices],
      ["values", this.values],
    ];
  }
}

/**
 * A tensor made by a rebuild function we do not decode (quantized, meta,
 * wrapper subclasses, ...). It is listed with what the pickle says about it;
 * reading it fails with UNSUPPORTED naming the rebuild function.
 */
export class TorchUnsupportedTensor extends PyReconstructed {
  readonly kind = "torch.unsupported";
  constructor(
    readonly rebuilder: string,
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly reason: string,
  ) {
    super();
  }

  async load(): Promise<Tensor> {
    return fail("UNSUPPORTED", "torch", `${this.rebuilder}: ${this.reason}`);
  }
}

export type AnyTorchTensor = TorchTensor | TorchSparseTensor | TorchSparseCompressedTensor | TorchUnsupportedTensor;
