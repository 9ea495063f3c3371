import { PyDict, PyGlobal, PyObject, PyReconstructed, PyTuple, type PyValue } from "@codec/pickle";
import { describe, expect, it } from "vitest";
import { parseScriptSource, type ScriptClassInfo, scriptStateDict } from "./torchscript.js";

// An instance as data.pkl holds it: NEWOBJ-style `__torch__.<module>.<Class>` with a BUILD state.
function instance(module: string, name: string, state: PyValue): PyObject {
  const o = new PyObject(new PyGlobal("copyreg", "__newobj__"), [new PyGlobal(module, name)], "newobj");
  o.state = state;
  return o;
}

class Leaf extends PyReconstructed {
  readonly kind = "test.leaf";
  constructor(readonly id: string) {
    super();
  }
}

const isTensor = (v: PyValue) => v instanceof Leaf;
const fallback = (v: PyValue, prefix: string) =>
  v instanceof PyTuple ? v.items.flatMap((x, i) => (isTensor(x) ? [{ name: `${prefix}.${i}`, value: x }] : [])) : [];

describe("scriptStateDict", () => {
  it("lists nothing for a __setstate__ module that declares no parameters or buffers (quantized Conv2d), nor inside TorchBind objects", () => {
    const classes = new Map<string, ScriptClassInfo>();
    // The generated source torch 1.13 writes for these classes (code/__torch__/...).
    parseScriptSource('class Net(Module):\n  __parameters__ = []\n  __buffers__ = ["scale", ]\n', "__torch__", classes);
    parseScriptSource("class Conv2d(Module):\n  __parameters__ = []\n  __buffers__ = []\n", "__torch__.q", classes);
    parseScriptSource('class Odd(Module):\n  __parameters__ = ["w", ]\n  __buffers__ = []\n', "__torch__.o", classes);
    const scale = new Leaf("scale");
    const conv = instance("__torch__.q", "Conv2d", new PyTuple([new Leaf("packed weight"), new Leaf("bias"), 0.1]));
    const odd = instance("__torch__.o", "Odd", new PyTuple([new Leaf("w")]));
    // A TorchBind object (its class source is empty) inside a module's dict state.
    const packedState = new PyDict();
    packedState.set("_packed_params", instance("__torch__.torch.classes.quantized", "LinearPackedParamsBase", new PyTuple([new Leaf("w8"), new Leaf("b")])));
    parseScriptSource("class LinearPackedParams(Module):\n  __parameters__ = []\n  __buffers__ = []\n", "__torch__.l", classes);
    const root = new PyDict();
    root.set("scale", scale);
    root.set("c", conv);
    root.set("o", odd);
    root.set("p", instance("__torch__.l", "LinearPackedParams", packedState));
    const names = scriptStateDict(instance("__torch__", "Net", root), classes, isTensor, fallback).map((n) => n.name);
    // state_dict(): the root's buffer; nothing from the opaque Conv2d; a declared-parameter
    // class with a tuple state still falls back to the generic walk.
    expect(names).toEqual(["scale", "o.0"]);
  });
});
