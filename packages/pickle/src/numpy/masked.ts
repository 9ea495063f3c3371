/**
 * numpy masked arrays (numpy/ma/core.py). `MaskedArray.__reduce__` writes
 *   _mareconstruct(cls, baseclass, (0,), 'b') + BUILD
 *   (version, shape, dtype, is_fortran, data bytes, mask bytes, fill_value)
 * The call is not on the allowlist, so the decoder keeps it inert (and the
 * encoder writes it back unchanged); a MaskedArray is still a numpy array,
 * so DESIGN.md section 5 lists its data (`np.asarray(m)`) as a tensor. The
 * data part of the state has ndarray.__setstate__'s layout, so NdArray
 * reads it.
 */
import { py3QualifiedName } from "../compat.js";
import { PyGlobal, PyObject, PyTuple, type PyValue } from "../model.js";
import { NdArray } from "./ndarray.js";

const MARECONSTRUCT = "numpy.ma.core._mareconstruct";

const cache = new WeakMap<PyObject, NdArray | null>();

/** The data array of an inert pickled MaskedArray, or undefined for anything else. */
export function maskedArrayData(v: PyValue): NdArray | undefined {
  if (!(v instanceof PyObject)) return undefined;
  const known = cache.get(v);
  if (known !== undefined) return known ?? undefined;
  let out: NdArray | null = null;
  const c = v.callable;
  const s = v.state;
  if (c instanceof PyGlobal && py3QualifiedName(c.module, c.name) === MARECONSTRUCT && s instanceof PyTuple && s.items.length === 7) {
    const a = new NdArray();
    // (version, shape, dtype, is_fortran, data): the ndarray state; the mask and fill value are not tensor data.
    if (a.build(new PyTuple(s.items.slice(0, 5)))) out = a;
  }
  cache.set(v, out);
  return out ?? undefined;
}
