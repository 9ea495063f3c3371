import type { Tensor } from "@codec/core";
import { PyDict, PyFloat, PyObject, PyReconstructed, PyTuple, type PyValue } from "@codec/pickle";
import { TorchSparseTensor, TorchTensor, TorchUnsupportedTensor } from "./torch-tensor.js";

/**
 * Tensor names of a decoded checkpoint (DESIGN.md section 5): dict keys
 * (as Python's str() writes them), list/tuple indices and the BUILD state
 * of other objects are path parts joined with '.'. A tensor reached twice
 * (the same object under two keys) is listed under both names; containers
 * are not re-entered along one path, so cycles end.
 *
 * Note: the pickle package is to provide a generic walker (walkTensors);
 * until it lands this module implements the same rule for torch graphs.
 */

export type LeafTensor = TorchTensor | TorchUnsupportedTensor | NumpyLike;

/** A reconstructed numpy array or scalar of a numeric/bool dtype (@codec/pickle NdArray, NumpyScalar). */
export interface NumpyLike extends PyReconstructed {
  readonly isTensor: boolean;
  tensor(): Tensor;
}

export function isNumpyLike(v: unknown): v is NumpyLike {
  return v instanceof PyReconstructed && (v as { isTensor?: unknown }).isTensor === true && typeof (v as { tensor?: unknown }).tensor === "function";
}

export function isTorchLeaf(v: PyValue): boolean {
  return v instanceof TorchTensor || v instanceof TorchUnsupportedTensor || v instanceof TorchSparseTensor || isNumpyLike(v);
}

export interface NamedTensor {
  readonly name: string;
  readonly value: LeafTensor;
}

/** Python str() of a dict key, for the key types checkpoints use. */
export function keyString(k: PyValue): string | undefined {
  if (typeof k === "string") return k;
  if (typeof k === "number") return Number.isInteger(k) ? String(k) : pyFloatRepr(k);
  if (typeof k === "bigint") return k.toString();
  if (typeof k === "boolean") return k ? "True" : "False";
  if (k === null) return "None";
  if (k instanceof PyFloat) return pyFloatRepr(k.value);
  if (k instanceof Uint8Array) return String.fromCharCode(...k.subarray(0, 1024));
  if (k instanceof PyTuple) {
    const parts = k.items.map((x) => keyString(x) ?? "?");
    return `(${parts.join(", ")}${parts.length === 1 ? "," : ""})`;
  }
  return undefined;
}

function pyFloatRepr(x: number): string {
  if (Number.isInteger(x)) return `${x}.0`;
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return String(x);
}

const join = (prefix: string, part: string): string => (prefix === "" ? part : `${prefix}.${part}`);

/** Every tensor in `value` with its section 5 name, in walk order. */
export function walkTorchTensors(value: PyValue, prefix = ""): NamedTensor[] {
  const out: NamedTensor[] = [];
  const onPath = new Set<object>();
  // Explicit stack of work items so hostile nesting cannot overflow the JS stack.
  type Work = { v: PyValue; name: string } | { leave: object };
  const stack: Work[] = [{ v: value, name: prefix }];
  while (stack.length > 0) {
    const w = stack.pop() as Work;
    if ("leave" in w) {
      onPath.delete(w.leave);
      continue;
    }
    const { v, name } = w;
    if (typeof v !== "object" || v === null || v instanceof Uint8Array || v instanceof PyFloat) continue;
    if (v instanceof TorchTensor || v instanceof TorchUnsupportedTensor || isNumpyLike(v)) {
      out.push({ name, value: v });
      continue;
    }
    if (v instanceof TorchSparseTensor) {
      out.push({ name: join(name, "indices"), value: v.indices }, { name: join(name, "values"), value: v.values });
      continue;
    }
    if (onPath.has(v)) continue;
    const children: Array<{ v: PyValue; name: string }> = [];
    if (Array.isArray(v)) addList(v, name, children);
    else if (v instanceof PyTuple) addList(v.items, name, children);
    else if (v instanceof PyDict) addDict(v, name, children);
    else if (v instanceof PyObject) {
      addState(v.state, name, children);
      addList(v.listItems, name, children);
      for (const [k, x] of v.dictItems) {
        const ks = keyString(k);
        if (ks !== undefined) children.push({ v: x, name: join(name, ks) });
      }
    } else if (v instanceof PyReconstructed) {
      const dict = (v as { dict?: unknown }).dict;
      if (dict instanceof PyDict) addDict(dict, name, children);
      if (v.source !== null) addState(v.source.state, name, children);
    } else continue;
    onPath.add(v);
    stack.push({ leave: v });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

function addList(items: readonly PyValue[], name: string, children: Array<{ v: PyValue; name: string }>): void {
  for (let i = 0; i < items.length; i++) children.push({ v: items[i], name: join(name, String(i)) });
}

function addDict(d: PyDict, name: string, children: Array<{ v: PyValue; name: string }>): void {
  for (const [k, x] of d.entries()) {
    const ks = keyString(k);
    if (ks !== undefined) children.push({ v: x, name: join(name, ks) });
  }
}

function addState(state: PyValue | undefined, name: string, children: Array<{ v: PyValue; name: string }>): void {
  if (state === undefined || state === null) return;
  if (state instanceof PyDict) addDict(state, name, children);
  else if (state instanceof PyTuple) {
    // (dict_state, slot_state) as copyreg's __reduce_ex__ writes it for classes with __slots__.
    for (const part of state.items) if (part instanceof PyDict) addDict(part, name, children);
  } else children.push({ v: state, name });
}
