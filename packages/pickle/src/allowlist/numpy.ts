/**
 * numpy reduce forms (numpy/core/src/multiarray/methods.c array_reduce /
 * array_reduce_ex, descriptor.c arraydescr_reduce, scalartypes.c gentype_reduce):
 *   _reconstruct(cls, (0,), b'b') + BUILD (version, shape, dtype, is_fortran, rawdata)
 *   _frombuffer(PickleBuffer, dtype, shape, order)          (protocol 5)
 *   dtype(typestr, align, copy) + BUILD state
 *   scalar(dtype, bytes)
 * numpy 2 spells the module numpy._core; compat.ts maps it to numpy.core.
 */
import type { Reconstructor } from "../decode/options.js";
import { NumpyDType } from "../numpy/dtype.js";
import { bufferBytes, NdArray, NumpyScalar, shapeOf } from "../numpy/ndarray.js";

const reconstruct: Reconstructor = (args) => (args.length === 3 ? new NdArray(args[0]) : undefined);

const frombuffer: Reconstructor = (args) => {
  if (args.length !== 4) return undefined;
  const bytes = bufferBytes(args[0]);
  const dtype = args[1];
  const shape = shapeOf(args[2]);
  if (bytes === undefined || !(dtype instanceof NumpyDType) || shape === undefined || dtype.isObject) return undefined;
  const a = new NdArray();
  a.init(shape, dtype, args[3] === "F", bytes);
  return a;
};

const dtype: Reconstructor = (args) => (args.length >= 1 && typeof args[0] === "string" ? new NumpyDType(args[0]) : undefined);

const scalar: Reconstructor = (args) => {
  const d = args[0];
  if (args.length < 1 || args.length > 2 || !(d instanceof NumpyDType)) return undefined;
  if (d.isObject) return new NumpyScalar(d, args[1] ?? null);
  const bytes = bufferBytes(args[1] ?? null);
  if (bytes === undefined || bytes.length !== d.itemsize) return undefined;
  return new NumpyScalar(d, bytes);
};

export const NUMPY_CALLS: Array<[string, Reconstructor]> = [
  ["numpy.core.multiarray._reconstruct", reconstruct],
  ["numpy.core.numeric._frombuffer", frombuffer],
  ["numpy.dtype", dtype],
  ["numpy.core.multiarray.scalar", scalar],
];
