/**
 * Dispatch from an inert call to the allowlist. REDUCE (and INST/OBJ)
 * look the callable up in CALLS; NEWOBJ/NEWOBJ_EX and
 * copyreg._reconstructor(cls, object, None) create an instance with
 * `cls.__new__`, looked up in NEW. Caller-supplied reconstructors are
 * consulted first, by the name as written and by its Python 3 name.
 */
import { py3QualifiedName } from "../compat.js";
import { PyGlobal, PyReconstructed, type PyObject, type PyValue } from "../model.js";
import { ALLOWLIST_CALLS, ALLOWLIST_NEW } from "../allowlist/index.js";
import type { Reconstructor } from "./options.js";

export function reconstructCall(obj: PyObject, extra: Readonly<Record<string, Reconstructor>> | undefined): PyValue | undefined {
  const c = obj.callable;
  if (!(c instanceof PyGlobal)) return undefined;
  const name = py3QualifiedName(c.module, c.name);
  if (extra !== undefined) {
    const f = Object.hasOwn(extra, c.qualifiedName) ? extra[c.qualifiedName] : Object.hasOwn(extra, name) ? extra[name] : undefined;
    if (f !== undefined) return attach(f(obj.args, obj), obj);
  }
  let fn: Reconstructor | undefined;
  if (obj.origin === "newobj" || obj.origin === "newobj_ex") {
    fn = ALLOWLIST_NEW.get(name);
  } else if (name === "copyreg._reconstructor") {
    const cls = obj.args[0];
    const base = obj.args[1];
    if (cls instanceof PyGlobal && base instanceof PyGlobal && py3QualifiedName(base.module, base.name) === "builtins.object") {
      fn = ALLOWLIST_NEW.get(py3QualifiedName(cls.module, cls.name));
    }
    if (fn !== undefined) return attach(fn([], obj), obj);
    return undefined;
  } else {
    fn = ALLOWLIST_CALLS.get(name);
  }
  return fn === undefined ? undefined : attach(fn(obj.args, obj), obj);
}

function attach(v: PyValue | undefined, obj: PyObject): PyValue | undefined {
  if (v instanceof PyReconstructed && v.source === null) v.source = obj;
  return v;
}
