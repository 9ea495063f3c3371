/**
 * Reading a decoded (inert) scikit-learn estimator: its class name and the
 * attributes of its `__dict__` state, as @codec/pickle gives them. Arrays
 * become float64 matrices for the arithmetic (predict works in float64, as
 * scikit-learn does for float64 input).
 */
import { fail, type Tensor } from "@codec/core";
import { NdArray, NumpyScalar, PyDict, PyFloat, PyGlobal, PyObject, PyTuple, type PyValue, py3QualifiedName } from "@codec/pickle";

export const F = "infer";

export interface Matrix {
  data: Float64Array;
  shape: number[];
}

/** `module.Class` of an instance (Python 3 spelling), or null for values that are not instances. */
export function classOf(v: PyValue): string | null {
  if (!(v instanceof PyObject)) return null;
  const c = v.instanceClass();
  return c instanceof PyGlobal ? py3QualifiedName(c.module, c.name) : null;
}

/** The short class name (`LogisticRegression`) of a scikit-learn instance. */
export function shortName(qualified: string): string {
  return qualified.slice(qualified.lastIndexOf(".") + 1);
}

export function stateOf(v: PyValue, what: string): PyDict {
  if (v instanceof PyObject && v.state instanceof PyDict) return v.state;
  return fail("UNSUPPORTED", F, `${what} has no attribute state to predict with`);
}

export function attr(state: PyDict, name: string, what: string): PyValue {
  const v = state.get(name);
  if (v === undefined) return fail("CORRUPT", F, `${what} has no attribute ${name} (is it fitted?)`);
  return v;
}

export function optionalAttr(state: PyDict, name: string): PyValue | undefined {
  return state.get(name);
}

/** A Python number (int, float, bool or numpy scalar) as a JS number. */
export function num(v: PyValue, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof PyFloat) return v.value;
  if (v instanceof NumpyScalar) {
    const x = v.value;
    if (typeof x === "number" || typeof x === "bigint" || typeof x === "boolean") return Number(x);
  }
  if (v instanceof NdArray && v.numel === 1) return matrix(v, what).data[0];
  return fail("CORRUPT", F, `${what} is not a number`);
}

export function str(v: PyValue, what: string): string {
  if (typeof v === "string") return v;
  return fail("CORRUPT", F, `${what} is not a string`);
}

export function items(v: PyValue, what: string): PyValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple) return v.items;
  if (v instanceof NdArray && Array.isArray(v.data)) return v.data;
  return fail("CORRUPT", F, `${what} is not a list`);
}

/** An array attribute's elements as float64 (bool and integers included), C order. */
export function matrix(v: PyValue, what: string): Matrix {
  if (v instanceof NdArray && v.isTensor) return tensorMatrix(v.tensor());
  if (typeof v === "number" || v instanceof PyFloat || v instanceof NumpyScalar) return { data: new Float64Array([num(v, what)]), shape: [] };
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return { data: new Float64Array(v as number[]), shape: [v.length] };
  return fail("CORRUPT", F, `${what} is not a numeric array`);
}

export function tensorMatrix(t: Tensor): Matrix {
  const shape = [...t.shape];
  if (t.dtype === "string" || t.dtype === "complex64" || t.dtype === "complex128") return fail("UNSUPPORTED", F, `a ${t.dtype} array cannot be a model input or weight`);
  const typed = t.dtype === "float16" || t.dtype === "bfloat16" || t.dtype.startsWith("float8") ? t.toFloat32() : t.typed();
  const data = new Float64Array(typed.length);
  if (typed instanceof BigInt64Array || typed instanceof BigUint64Array) for (let i = 0; i < typed.length; i++) data[i] = Number(typed[i]);
  else data.set(typed as ArrayLike<number>);
  return { data, shape };
}

/** X must be [n_samples, n_features]. */
export function samples(x: Matrix, features: number | null, what: string): { n: number; f: number } {
  if (x.shape.length !== 2) fail("USAGE", F, `${what} expects a 2-D input [n_samples, n_features], got shape [${x.shape.join(", ")}]`);
  const [n, f] = x.shape;
  if (features !== null && f !== features) fail("USAGE", F, `${what} was fitted on ${features} features, the input has ${f}`);
  return { n, f };
}
