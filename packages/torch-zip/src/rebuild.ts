import { type DType, fail } from "@codec/core";
import { PyFloat, PyGlobal, type PyObject, PyTuple, type PyValue } from "@codec/pickle";
import { torchDTypeOf } from "./dtypes.js";
import { TorchStorage } from "./storage.js";
import { COMPRESSED_INDEX_NAMES, TorchSparseCompressedTensor, TorchSparseTensor, TorchTensor, TorchUnsupportedTensor } from "./torch-tensor.js";

/**
 * The allowlisted torch rebuild functions (torch/_utils.py,
 * torch/_tensor.py) as `unpickle` reconstructors. Each turns the inert
 * call into a lazy TorchTensor over a TorchStorage; nothing else in the
 * checkpoint is reconstructed here (it stays the pickle object model).
 */

type Reconstructor = (args: PyValue[], obj: PyObject) => PyValue | undefined;

const F = "torch";

function intOf(v: PyValue | undefined, what: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return fail("CORRUPT", F, `${what} must be an integer, got ${describe(v)}`);
}

function intsOf(v: PyValue | undefined, what: string): number[] {
  // torch.Size pickles as a REDUCE of torch.Size over a tuple: accept the inner tuple.
  let items: PyValue[] | undefined;
  if (v instanceof PyTuple) items = v.items;
  else if (Array.isArray(v)) items = v;
  else if (isCall(v, "torch.Size")) {
    const inner = (v as PyObject).args[0];
    if (inner instanceof PyTuple) items = inner.items;
  }
  if (items === undefined) return fail("CORRUPT", F, `${what} must be a tuple of integers, got ${describe(v)}`);
  return items.map((x, i) => intOf(x, `${what}[${i}]`));
}

function describe(v: PyValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "None";
  if (typeof v !== "object") return typeof v;
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  return v.constructor.name;
}

function isCall(v: PyValue | undefined, qualifiedName: string): boolean {
  return (
    typeof v === "object" &&
    v !== null &&
    "callable" in v &&
    (v as PyObject).callable instanceof PyGlobal &&
    ((v as PyObject).callable as PyGlobal).qualifiedName === qualifiedName
  );
}

function storageOf(v: PyValue | undefined, rebuilder: string): TorchStorage {
  if (v instanceof TorchStorage) return v;
  return fail("CORRUPT", F, `${rebuilder}: first argument must be a storage, got ${describe(v)}`);
}

function dtypeArg(v: PyValue | undefined, rebuilder: string): DType {
  if (v instanceof PyGlobal) {
    const d = torchDTypeOf(v.module, v.name);
    if (d !== undefined) return d;
    return fail("UNSUPPORTED", F, `${rebuilder}: dtype ${v.qualifiedName} is not supported`);
  }
  return fail("CORRUPT", F, `${rebuilder}: expected a torch dtype, got ${describe(v)}`);
}

function makeTensor(storage: TorchStorage, dtype: DType, args: PyValue[], rebuilder: string): TorchTensor {
  const offset = intOf(args[1], `${rebuilder} storage_offset`);
  const size = intsOf(args[2], `${rebuilder} size`);
  const stride = intsOf(args[3], `${rebuilder} stride`);
  const t = new TorchTensor(storage, dtype, offset, size, stride, rebuilder);
  if (typeof args[4] === "boolean") t.requiresGrad = args[4];
  return t;
}

/** `_rebuild_tensor(storage, storage_offset, size, stride)` and v2 (+ requires_grad, backward_hooks[, metadata]). */
function rebuildTensorV2(args: PyValue[], rebuilder: string): TorchTensor {
  const storage = storageOf(args[0], rebuilder);
  return makeTensor(storage, storage.dtype, args, rebuilder);
}

/** `_rebuild_tensor_v3(storage, offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])`: untyped storage + dtype. */
function rebuildTensorV3(args: PyValue[]): TorchTensor {
  const storage = storageOf(args[0], "_rebuild_tensor_v3");
  return makeTensor(storage, dtypeArg(args[6], "_rebuild_tensor_v3"), args, "_rebuild_tensor_v3");
}

function parameterOf(args: PyValue[], rebuilder: string): TorchTensor {
  const data = args[0];
  if (!(data instanceof TorchTensor)) {
    if (data instanceof TorchUnsupportedTensor) return fail("UNSUPPORTED", F, `${rebuilder} over ${data.rebuilder}: ${data.reason}`);
    return fail("CORRUPT", F, `${rebuilder}: data must be a tensor, got ${describe(data)}`);
  }
  const p = new TorchTensor(data.storage, data.dtype, data.storageOffset, data.shape, data.stride, rebuilder);
  p.isParameter = true;
  p.requiresGrad = args[1] === true;
  return p;
}

function sparseOf(args: PyValue[], rebuilder = "_rebuild_sparse_tensor"): TorchSparseTensor | TorchSparseCompressedTensor | TorchUnsupportedTensor {
  const layout = layoutName(args[0]);
  const data = args[1];
  if (layout !== undefined && Object.hasOwn(COMPRESSED_INDEX_NAMES, layout)) return compressedOf(layout, data, rebuilder);
  if (layout !== "torch.sparse_coo") {
    const name = layout ?? describe(args[0]);
    return new TorchUnsupportedTensor("_rebuild_sparse_tensor", "float32", [], `sparse layout ${name} is not supported (only torch.sparse_coo)`);
  }
  if (!(data instanceof PyTuple) || data.items.length < 3) return fail("CORRUPT", F, "_rebuild_sparse_tensor: data must be (indices, values, size)");
  const [indices, values, size] = data.items;
  if (!(indices instanceof TorchTensor) || !(values instanceof TorchTensor)) {
    return fail("CORRUPT", F, "_rebuild_sparse_tensor: indices and values must be tensors");
  }
  return new TorchSparseTensor(indices, values, intsOf(size, "sparse size"));
}

/** `(compressed_indices, plain_indices, values, size)` of a CSR/CSC/BSR/BSC tensor (torch/_tensor.py `__reduce_ex__`). */
function compressedOf(layout: string, data: PyValue | undefined, rebuilder: string): TorchSparseCompressedTensor {
  if (!(data instanceof PyTuple) || data.items.length < 4) return fail("CORRUPT", F, `${rebuilder}: data must be (compressed_indices, plain_indices, values, size)`);
  const [compressed, plain, values, size] = data.items;
  if (!(compressed instanceof TorchTensor) || !(plain instanceof TorchTensor) || !(values instanceof TorchTensor)) {
    return fail("CORRUPT", F, `${rebuilder}: indices and values must be tensors`);
  }
  return new TorchSparseCompressedTensor(layout, compressed, plain, values, intsOf(size, "sparse size"));
}

/** A layout is the global torch.sparse_coo, or `torch.serialization._get_layout("torch.sparse_coo")` (torch >= 1.12). */
function layoutName(v: PyValue | undefined): string | undefined {
  if (v instanceof PyGlobal) return v.qualifiedName;
  if (isCall(v, "torch.serialization._get_layout")) {
    const name = (v as PyObject).args[0];
    if (typeof name === "string") return name;
  }
  return undefined;
}

/**
 * Quantized storage classes whose bytes hold one integer per element (torch/_utils.py
 * `_rebuild_qtensor` views them with the tensor's offset/size/stride like any tensor).
 * The sub-byte packings (QUInt4x2Storage, QUInt2x4Storage) are not element-addressable.
 */
const QUANTIZED_ELEMENT_STORAGES: ReadonlySet<string> = new Set(["QInt8Storage", "QUInt8Storage", "QInt32Storage"]);

/**
 * `_rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params, requires_grad,
 * backward_hooks)`: a quantized tensor reads as its stored integers, which is what torch's
 * `Tensor.int_repr()` returns (int8 for qint8, uint8 for quint8, int32 for qint32). The
 * quantizer (scheme, scales, zero points, axis) stays in the pickled call, so a same-format
 * re-encode writes the quantized tensor back unchanged.
 */
function qtensorOf(args: PyValue[]): TorchTensor | TorchUnsupportedTensor {
  const storage = storageOf(args[0], "_rebuild_qtensor");
  const bits = SUB_BYTE_STORAGE_BITS[storage.className];
  if (bits !== undefined) return subByteQTensorOf(storage, bits, args);
  if (!QUANTIZED_ELEMENT_STORAGES.has(storage.className)) {
    return unsupported("torch._utils._rebuild_qtensor", args, `quantized storage ${storage.className} is not supported`);
  }
  const t = makeTensor(storage, storage.dtype, [args[0], args[1], args[2], args[3], args[5]], "_rebuild_qtensor");
  t.quantized = true;
  return t;
}

/** Bits per element of the sub-byte quantized storages (torch.quint4x2, torch.quint2x4). */
const SUB_BYTE_STORAGE_BITS: Readonly<Record<string, number>> = { QUInt4x2Storage: 4, QUInt2x4Storage: 2 };

/**
 * A torch.quint4x2 / torch.quint2x4 tensor packs 8/bits elements per byte, so its
 * elements are not addressable by stride. Its `int_repr()` (aten
 * int_repr_quantized_cpu) is the packed bytes themselves: a 1-d uint8 tensor of
 * ceil(numel * bits / 8) bytes from the start of the data. It is listed as that.
 * torch cannot make offset or strided views of these tensors; such a pickle is UNSUPPORTED.
 */
function subByteQTensorOf(storage: TorchStorage, bits: number, args: PyValue[]): TorchTensor | TorchUnsupportedTensor {
  const offset = intOf(args[1], "_rebuild_qtensor storage_offset");
  const size = intsOf(args[2], "_rebuild_qtensor size");
  const stride = intsOf(args[3], "_rebuild_qtensor stride");
  let numel = 1;
  let expect = 1;
  let contiguous = true;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= size[d];
    numel *= size[d];
    if (!Number.isSafeInteger(numel)) return fail("CORRUPT", F, `_rebuild_qtensor: size [${size.join(", ")}] is too large`);
  }
  if (offset !== 0 || !contiguous) {
    return unsupported("torch._utils._rebuild_qtensor", args, `a ${storage.className} tensor with a storage offset or strides is not supported (torch cannot make one)`);
  }
  const packed = Math.ceil((numel * bits) / 8);
  const t = makeTensor(storage, "uint8", [args[0], 0, new PyTuple([packed]), new PyTuple([1]), args[5]], "_rebuild_qtensor");
  t.quantized = true;
  return t;
}

/** Rebuilders that exist in torch but whose tensors we do not decode. */
const UNSUPPORTED_REBUILDERS: Readonly<Record<string, string>> = {
  "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors have no data",
  "torch._utils._rebuild_wrapper_subclass": "tensor wrapper subclasses are not supported",
  "torch._utils._rebuild_device_tensor_from_numpy": "device tensors from numpy are not supported",
  "torch._utils._rebuild_xla_tensor": "XLA tensors are not supported",
  "torch._utils._rebuild_mps_tensor": "MPS tensors are not supported",
  "torch._utils._rebuild_nested_tensor": "nested tensors are not supported",
  "torch._utils._rebuild_typed_storage": "pickled typed storages are not supported",
};

/** Best-effort dtype/shape of an unsupported tensor, for listing only. */
function unsupported(qualified: string, args: PyValue[], why?: string): TorchUnsupportedTensor {
  const reason = why ?? UNSUPPORTED_REBUILDERS[qualified];
  const short = qualified.slice(qualified.lastIndexOf(".") + 1);
  let dtype: DType = "uint8";
  let shape: number[] = [];
  try {
    if (short === "_rebuild_qtensor") {
      const s = args[0];
      if (s instanceof TorchStorage) dtype = s.dtype;
      shape = intsOf(args[2], "size");
    } else if (short === "_rebuild_meta_tensor_no_storage") {
      dtype = dtypeArg(args[0], short);
      shape = intsOf(args[1], "size");
    } else if (short === "_rebuild_wrapper_subclass") {
      dtype = dtypeArg(args[1], short);
      shape = intsOf(args[2], "size");
    }
  } catch {
    // Listing details are best effort; reading still fails with UNSUPPORTED.
  }
  return new TorchUnsupportedTensor(short, dtype, shape, reason);
}

/**
 * `torch._tensor._rebuild_from_type_v2(func, new_type, args, state)` (torch >= 1.8 for
 * tensors with Python state or subclasses): apply `func` when it is a rebuild
 * function we know; the subclass and state are kept in the object model.
 */
function fromTypeV2(args: PyValue[]): PyValue | undefined {
  const func = args[0];
  const inner = args[2];
  if (!(func instanceof PyGlobal) || !(inner instanceof PyTuple)) return undefined;
  const direct = DIRECT[func.qualifiedName];
  return direct === undefined ? undefined : direct(inner.items);
}

const DIRECT: Readonly<Record<string, (args: PyValue[]) => PyValue | undefined>> = {
  "torch._utils._rebuild_tensor": (a) => rebuildTensorV2(a, "_rebuild_tensor"),
  "torch._utils._rebuild_tensor_v2": (a) => rebuildTensorV2(a, "_rebuild_tensor_v2"),
  "torch._utils._rebuild_tensor_v3": (a) => rebuildTensorV3(a),
  "torch._utils._rebuild_parameter": (a) => parameterOf(a, "_rebuild_parameter"),
  "torch._utils._rebuild_parameter_with_state": (a) => parameterOf(a, "_rebuild_parameter_with_state"),
  "torch._utils._rebuild_sparse_tensor": (a) => sparseOf(a),
  // torch 1.13 pickles CSR tensors through their own rebuild function, same data layout.
  "torch._utils._rebuild_sparse_csr_tensor": (a) => sparseOf(a, "_rebuild_sparse_csr_tensor"),
  "torch._utils._rebuild_qtensor": (a) => qtensorOf(a),
  "torch._tensor._rebuild_from_type_v2": (a) => fromTypeV2(a),
};

let cached: Readonly<Record<string, Reconstructor>> | undefined;

/** The reconstructors to pass to `unpickle` for torch files (stateless, built once). */
export function torchReconstructors(): Readonly<Record<string, Reconstructor>> {
  cached ??= buildReconstructors();
  return cached;
}

function buildReconstructors(): Record<string, Reconstructor> {
  const out: Record<string, Reconstructor> = {};
  for (const [name, fn] of Object.entries(DIRECT)) {
    out[name] = (args, obj) => {
      const v = fn(args);
      if (v instanceof TorchTensor || v instanceof TorchSparseTensor || v instanceof TorchSparseCompressedTensor || v instanceof TorchUnsupportedTensor) {
        v.source ??= obj;
      }
      return v;
    };
  }
  for (const name of Object.keys(UNSUPPORTED_REBUILDERS)) {
    out[name] = (args, obj) => {
      const v = unsupported(name, args);
      v.source = obj;
      return v;
    };
  }
  return out;
}

/** Integer value of a persistent-id field (numel may come as a float in odd writers). */
export function pidInt(v: PyValue | undefined, what: string): number {
  if (v instanceof PyFloat && Number.isSafeInteger(v.value)) return v.value;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  return fail("CORRUPT", F, `persistent id: ${what} must be a non-negative integer, got ${describe(v)}`);
}

/** A persistent id's text field: str, or bytes from a Python 2 pickle (torch `_maybe_decode_ascii`). */
export function pidText(v: PyValue | undefined, what: string): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return String.fromCharCode(...v.subarray(0, 256));
  if (typeof v === "number") return String(v);
  return fail("CORRUPT", F, `persistent id: ${what} must be a string, got ${describe(v)}`);
}

export { describe as describePyValue };
