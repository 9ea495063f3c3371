/**
 * numpy values written in numpy's own reduce forms, so that numpy loads
 * them (numpy/core/src/multiarray/methods.c array_reduce / array_reduce_ex,
 * descriptor.c arraydescr_reduce, scalartypes.c gentype_reduce):
 *   protocol 2-4: _reconstruct(cls, (0,), b'b') + BUILD (1, shape, dtype, is_fortran, rawdata)
 *   protocol 5:   _frombuffer(PickleBuffer, dtype, shape, order)   (exact ndarrays only)
 * A decoded array is written back in the form it came in (same global
 * spelling, numpy.core or numpy._core); joblib arrays and Tensors take the
 * protocol's default form.
 */
import { py3QualifiedName } from "../compat.js";
import { PyBuffer } from "../decode/buffer.js";
import { PyGlobal, type PyReconstructed, PyTuple, type PyValue } from "../model.js";
import { NumpyDType } from "../numpy/dtype.js";
import { NdArray, NumpyScalar } from "../numpy/ndarray.js";
import type { Pickler } from "./pickler.js";

function sourceName(v: PyReconstructed): string | null {
  const c = v.source?.callable;
  return c instanceof PyGlobal ? py3QualifiedName(c.module, c.name) : null;
}

/** The dtype's BUILD state tuple as numpy's arraydescr_reduce writes it (version 3). */
function dtypeState(d: NumpyDType): PyTuple {
  const flags = d.isObject ? 63 : 0;
  return new PyTuple([3, d.itemsize <= 1 ? "|" : d.byteorder === "=" ? "<" : d.byteorder, null, null, null, -1, -1, flags]);
}

function saveDType(p: Pickler, d: NumpyDType): void {
  const s = d.source;
  if (s !== null) {
    p.saveCall(d, s.callable, s.args, s.origin, s.kwargs, s.listItems, s.dictItems, s.state ?? dtypeState(d));
    return;
  }
  p.saveCall(d, p.global("numpy", "dtype"), [`${d.char}${d.itemsize}`, false, true], "reduce", null, [], [], dtypeState(d));
}

function saveArray(p: Pickler, a: NdArray): void {
  const name = sourceName(a);
  const src = a.source;
  // array_reduce_ex uses the PickleBuffer form only for exact ndarrays with a non-empty item type;
  // subclasses (numpy.matrix, or joblib's wrapper `subclass`) keep _reconstruct(cls, ...), or they load as plain ndarrays.
  const exact = a.cls instanceof PyGlobal && py3QualifiedName(a.cls.module, a.cls.name) === "numpy.ndarray";
  const canBuffer = p.proto >= 5 && !Array.isArray(a.data) && exact && a.dtype.itemsize > 0;
  const form = name === "numpy.core.multiarray._reconstruct" ? "reconstruct" : name === "numpy.core.numeric._frombuffer" && canBuffer ? "frombuffer" : canBuffer ? "frombuffer" : "reconstruct";
  const shape = new PyTuple(a.shape);
  if (form === "frombuffer") {
    const callable = name === "numpy.core.numeric._frombuffer" && src !== null ? src.callable : p.global("numpy.core.numeric", "_frombuffer");
    p.saveCall(a, callable, [new PyBuffer(a.data as Uint8Array, false, false), a.dtype, shape, a.fortran ? "F" : "C"], "reduce", null, [], [], undefined);
    return;
  }
  const fromSource = name === "numpy.core.multiarray._reconstruct" && src !== null;
  const callable = fromSource ? src.callable : p.global("numpy.core.multiarray", "_reconstruct");
  const cls = a.cls instanceof PyGlobal ? a.cls : p.global("numpy", "ndarray");
  const args: PyValue[] = fromSource ? src.args : [cls, new PyTuple([0]), new Uint8Array([0x62])];
  p.saveCall(a, callable, args, "reduce", null, [], [], new PyTuple([1, shape, a.dtype, a.fortran, a.data]));
}

/** Writes numpy arrays, dtypes and scalars; false for other values. */
export function saveNumpy(p: Pickler, v: PyReconstructed): boolean {
  if (v instanceof NdArray) {
    saveArray(p, v);
    return true;
  }
  if (v instanceof NumpyDType) {
    saveDType(p, v);
    return true;
  }
  if (v instanceof NumpyScalar) {
    const s = v.source;
    if (s !== null) p.saveCall(v, s.callable, s.args, s.origin, s.kwargs, s.listItems, s.dictItems, s.state);
    else p.saveCall(v, p.global("numpy.core.multiarray", "scalar"), [v.dtype, v.data as PyValue], "reduce", null, [], [], undefined);
    return true;
  }
  return false;
}
