import { utf8Decode, type ZipArchive } from "@codec/core";
import { PyDict, PyGlobal, PyObject, type PyValue } from "@codec/pickle";

/**
 * TorchScript archives (torch.jit.save): `data.pkl` is an object graph of
 * `__torch__.*` classes whose BUILD state dicts hold attributes, parameters
 * and submodules. Which attributes are parameters and buffers is declared
 * in each class's generated source (`code/__torch__/<module>.py`):
 *   class Conv2d(Module):
 *     __parameters__ = ["weight", "bias", ]
 *     __buffers__ = []
 * Only those two declarations are read; the code is never interpreted.
 * Names are what `module.state_dict()` gives: a module's parameters, then
 * its buffers, then each submodule's names under `<attribute>.`.
 */

export interface ScriptClassInfo {
  readonly isModule: boolean;
  readonly parameters: readonly string[];
  readonly buffers: readonly string[];
}

const CLASS_RE = /^class\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*:/;
const LIST_RE = /^\s+(__parameters__|__buffers__)\s*=\s*\[(.*)\]\s*$/;

/** Parse the class headers and parameter/buffer declarations of one generated source file. */
export function parseScriptSource(text: string, module: string, into: Map<string, ScriptClassInfo>): void {
  let current: { name: string; isModule: boolean; parameters: string[]; buffers: string[] } | null = null;
  const flush = () => {
    if (current) into.set(`${module}.${current.name}`, { isModule: current.isModule, parameters: current.parameters, buffers: current.buffers });
  };
  for (const line of text.split("\n")) {
    const c = CLASS_RE.exec(line);
    if (c) {
      flush();
      current = { name: c[1], isModule: /\bModule\b/.test(c[2]), parameters: [], buffers: [] };
      continue;
    }
    if (current === null) continue;
    const l = LIST_RE.exec(line);
    if (l) {
      const names = [...l[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      if (l[1] === "__parameters__") current.parameters = names;
      else current.buffers = names;
    }
  }
  flush();
}

/** The class global of a TorchScript object (`__torch__.X` NEWOBJ), if any. */
export function scriptClassOf(v: PyValue): PyGlobal | undefined {
  if (!(v instanceof PyObject)) return undefined;
  const c = v.instanceClass();
  return c instanceof PyGlobal && (c.module === "__torch__" || c.module.startsWith("__torch__.")) ? c : undefined;
}

/** Read the generated sources of every `__torch__` class the object graph instantiates. */
export async function loadScriptClasses(archive: ZipArchive, root: string, object: PyValue, maxBytes = 16 << 20): Promise<Map<string, ScriptClassInfo>> {
  const modules = new Set<string>();
  const stack: PyValue[] = [object];
  const seen = new Set<PyValue>();
  while (stack.length > 0) {
    const v = stack.pop() as PyValue;
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    const cls = scriptClassOf(v);
    if (cls !== undefined) {
      modules.add(cls.module);
      const state = (v as PyObject).state;
      if (state instanceof PyDict) for (const x of state.values) stack.push(x);
    }
  }
  const classes = new Map<string, ScriptClassInfo>();
  let budget = maxBytes;
  for (const module of modules) {
    const entry = archive.entry(`${root}/code/${module.split(".").join("/")}.py`);
    if (entry === undefined || entry.size > budget) continue;
    budget -= entry.size;
    parseScriptSource(utf8Decode(await archive.read(entry), "torch"), module, classes);
  }
  return classes;
}

export interface NamedValue {
  readonly name: string;
  readonly value: PyValue;
}

/**
 * state_dict() names of a TorchScript module graph. `isTensor` decides what
 * counts as a tensor; `fallback` names the tensors of an object whose class
 * source was not found (generic DESIGN.md section 5 walk of its state).
 */
export function scriptStateDict(
  object: PyValue,
  classes: ReadonlyMap<string, ScriptClassInfo>,
  isTensor: (v: PyValue) => boolean,
  fallback: (v: PyValue, prefix: string) => NamedValue[],
): NamedValue[] {
  const out: NamedValue[] = [];
  const visiting = new Set<PyValue>();
  const visit = (obj: PyObject, prefix: string): void => {
    if (visiting.has(obj)) return;
    visiting.add(obj);
    const cls = scriptClassOf(obj);
    const info = cls === undefined ? undefined : classes.get(cls.qualifiedName);
    const state = obj.state;
    if (info !== undefined && !(state instanceof PyDict) && info.parameters.length === 0 && info.buffers.length === 0) {
      // A class with __getstate__/__setstate__ (quantized Conv2d/Linear and their packed
      // params): its state is opaque to state_dict(), which lists only declared parameters
      // and buffers, and it declares none.
      visiting.delete(obj);
      return;
    }
    if (info === undefined || !(state instanceof PyDict)) {
      out.push(...fallback(state ?? null, prefix.replace(/\.$/, "")));
      visiting.delete(obj);
      return;
    }
    for (const list of [info.parameters, info.buffers]) {
      for (const name of list) {
        const v = state.get(name);
        if (v !== undefined && isTensor(v)) out.push({ name: prefix + name, value: v });
      }
    }
    for (const [k, v] of state.entries()) {
      const sub = scriptClassOf(v);
      if (sub === undefined || typeof k !== "string") continue;
      if (classes.get(sub.qualifiedName)?.isModule === false) continue;
      // TorchBind objects (`__torch__.torch.classes.*`, e.g. quantized LinearPackedParamsBase)
      // are C++ custom classes, never modules: state_dict() does not descend into them.
      if (sub.module === "__torch__.torch.classes" || sub.module.startsWith("__torch__.torch.classes.")) continue;
      visit(v as PyObject, `${prefix}${k}.`);
    }
    visiting.delete(obj);
  };
  if (object instanceof PyObject && scriptClassOf(object) !== undefined) visit(object, "");
  else out.push(...fallback(object, ""));
  return out;
}
