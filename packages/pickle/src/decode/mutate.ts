/**
 * The mutating opcodes (APPEND(S), SETITEM(S), ADDITEMS, BUILD) applied to
 * inert values. Python would call methods on real objects; here lists,
 * dicts and sets are updated directly, inert PyObjects record the items and
 * state they receive, and reconstructed values get them through their
 * build/append/setItem methods.
 */
import { fail } from "@codec/core";
import { PyDict, PyGlobal, PyObject, PyReconstructed, PySet, type PyValue } from "../model.js";

const F = "pickle";

export function typeName(v: PyValue | undefined): string {
  if (v === null) return "None";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "list";
  if (v instanceof Uint8Array) return "bytes";
  // By class, not constructor.name: the bundle renames PyDict to `_PyDict`.
  if (v instanceof PyDict) return "dict";
  if (typeof v === "object") return v.constructor.name;
  return typeof v;
}

export function appendItems(target: PyValue, items: PyValue[], from: number, offset: number): void {
  if (Array.isArray(target)) {
    for (let i = from; i < items.length; i++) target.push(items[i]);
    return;
  }
  if (target instanceof PyObject) {
    for (let i = from; i < items.length; i++) target.listItems.push(items[i]);
    return;
  }
  if (target instanceof PyReconstructed) {
    for (let i = from; i < items.length; i++) {
      if (!target.append(items[i])) fail("CORRUPT", F, `APPEND to a ${target.kind} value`, { offset });
    }
    return;
  }
  fail("CORRUPT", F, `APPEND to a ${typeName(target)} value`, { offset });
}

export function setItems(target: PyValue, items: PyValue[], from: number, offset: number): void {
  if ((items.length - from) % 2 !== 0) fail("CORRUPT", F, "odd number of items for SETITEMS", { offset });
  if (target instanceof PyDict) {
    target.setPairs(items, from, items.length);
    return;
  }
  if (target instanceof PyObject) {
    for (let i = from; i < items.length; i += 2) target.dictItems.push([items[i], items[i + 1]]);
    return;
  }
  if (target instanceof PyReconstructed) {
    for (let i = from; i < items.length; i += 2) {
      if (!target.setItem(items[i], items[i + 1])) fail("CORRUPT", F, `SETITEM on a ${target.kind} value`, { offset });
    }
    return;
  }
  fail("CORRUPT", F, `SETITEM on a ${typeName(target)} value`, { offset });
}

export function addItems(target: PyValue, items: PyValue[], from: number, offset: number): void {
  if (target instanceof PySet && !target.frozen) {
    for (let i = from; i < items.length; i++) target.items.push(items[i]);
    return;
  }
  if (target instanceof PyObject) {
    for (let i = from; i < items.length; i++) target.listItems.push(items[i]);
    return;
  }
  fail("CORRUPT", F, `ADDITEMS on a ${typeName(target)} value`, { offset });
}

export function applyBuild(target: PyValue, state: PyValue, offset: number): void {
  if (target instanceof PyObject) {
    // BUILD twice (rare) merges dict states like repeated __dict__.update would.
    if (target.state instanceof PyDict && state instanceof PyDict) {
      for (const [k, v] of state.entries()) target.state.set(k, v);
    } else {
      target.state = state;
    }
    return;
  }
  if (target instanceof PyReconstructed) {
    if (!target.build(state)) fail("CORRUPT", F, `BUILD on a ${target.kind} value`, { offset });
    return;
  }
  if (target instanceof PyGlobal) {
    fail("UNSAFE", F, "BUILD on a global would set attributes of an imported module or class", { offset });
  }
  fail("CORRUPT", F, `BUILD on a ${typeName(target)} value`, { offset });
}
