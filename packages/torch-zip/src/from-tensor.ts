import { contiguousStrides, DTYPES, fail, numelOf, type Tensor, type TensorMap } from "@codec/core";
import { PyGlobal, PyObject, PyTuple, type PyValue } from "@codec/pickle";
import { DTYPE_STORAGE_CLASS } from "./dtypes.js";
import { TorchStorage } from "./storage.js";
import { TorchTensor } from "./torch-tensor.js";

const F = "torch";

/** `collections.OrderedDict()` as torch pickles it (REDUCE of the class over an empty tuple). */
export function emptyOrderedDict(): PyObject {
  return new PyObject(new PyGlobal("collections", "OrderedDict"), [], "reduce");
}

/**
 * The inert call `torch._utils._rebuild_tensor_v2(storage, offset, size,
 * stride, requires_grad, OrderedDict())` that torch.save writes for a
 * tensor (Tensor.__reduce_ex__ in torch/_tensor.py); v3 with the dtype for
 * dtypes that have no typed storage class (torch >= 2.1 reads those).
 */
export function rebuildCall(t: TorchTensor): PyObject {
  const typed = t.storage.className !== "UntypedStorage";
  const args: PyValue[] = [
    t.storage,
    t.storageOffset,
    new PyTuple([...t.shape]),
    new PyTuple([...t.stride]),
    t.requiresGrad,
    emptyOrderedDict(),
  ];
  if (!typed) args.push(new PyGlobal("torch", t.dtype));
  const name = typed ? "_rebuild_tensor_v2" : "_rebuild_tensor_v3";
  return new PyObject(new PyGlobal("torch._utils", name), args, "reduce");
}

/** `torch._utils._rebuild_parameter(data, requires_grad, OrderedDict())`. */
export function parameterCall(data: TorchTensor, requiresGrad: boolean): PyObject {
  return new PyObject(new PyGlobal("torch._utils", "_rebuild_parameter"), [data, requiresGrad, emptyOrderedDict()], "reduce");
}

let counter = 0;

/**
 * Wrap a core Tensor as a torch tensor over its own in-memory storage, so
 * it can sit in a PyValue graph that `saveTorch` writes. The bytes are not
 * copied.
 */
export function torchTensorFrom(tensor: Tensor, options: { parameter?: boolean; requiresGrad?: boolean } = {}): TorchTensor {
  if (tensor.dtype === "string") return fail("UNSUPPORTED", F, "string tensors cannot be saved in a torch file");
  const cls = DTYPE_STORAGE_CLASS[tensor.dtype];
  const bytes = tensor.bytes();
  const storage = cls === undefined
    ? new TorchStorage(`mem${counter++}`, "uint8", bytes.length, "cpu", "UntypedStorage", async () => bytes)
    : new TorchStorage(`mem${counter++}`, tensor.dtype, tensor.numel, "cpu", cls, async () => bytes);
  const data = new TorchTensor(storage, tensor.dtype, 0, tensor.shape, contiguousStrides(tensor.shape), "_rebuild_tensor_v2");
  data.requiresGrad = options.requiresGrad ?? false;
  data.source = rebuildCall(data);
  if (!options.parameter) return data;
  const p = new TorchTensor(storage, tensor.dtype, 0, tensor.shape, data.stride, "_rebuild_parameter");
  p.isParameter = true;
  p.requiresGrad = options.requiresGrad ?? true;
  p.source = parameterCall(data, p.requiresGrad);
  return p;
}

/** A state dict: `OrderedDict` of name -> tensor, as `model.state_dict()` pickles. */
export function stateDictFrom(tensors: Iterable<[string, Tensor | TorchTensor]>): PyObject {
  const od = emptyOrderedDict();
  // The same Tensor object under two names shares one storage (written once), as in torch.
  const made = new Map<Tensor, TorchTensor>();
  for (const [name, t] of tensors) {
    if (t instanceof TorchTensor) {
      od.dictItems.push([name, t]);
      continue;
    }
    let tt = made.get(t);
    if (tt === undefined) {
      tt = torchTensorFrom(t);
      made.set(t, tt);
    }
    od.dictItems.push([name, tt]);
  }
  return od;
}


/**
 * A state dict over any TensorMap (safetensors, npz, ...) for `saveTorch`:
 * names and shapes come from `info`; each tensor's bytes are fetched from
 * the map only when the writer reaches its storage, one at a time.
 */
export function stateDictFromMap(map: TensorMap): PyObject {
  const od = emptyOrderedDict();
  for (const name of map.names()) {
    const { dtype, shape } = map.info(name);
    if (dtype === "string") fail("UNSUPPORTED", F, `tensor '${name}' is a string tensor, which torch cannot store`);
    const numel = numelOf(shape, F);
    const cls = DTYPE_STORAGE_CLASS[dtype];
    const load = async () => (await map.get(name)).bytes();
    const storage =
      cls === undefined
        ? new TorchStorage(name, "uint8", numel * DTYPES[dtype].size, "cpu", "UntypedStorage", load)
        : new TorchStorage(name, dtype, numel, "cpu", cls, load);
    const t = new TorchTensor(storage, dtype, 0, shape, contiguousStrides(shape), "_rebuild_tensor_v2");
    t.source = rebuildCall(t);
    od.dictItems.push([name, t]);
  }
  return od;
}
