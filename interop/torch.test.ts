import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Tensor } from "@codec/core";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { openTorch, reencodeTorch, saveTorch, stateDictFromMap } from "../packages/torch-zip/src/index.js";
import { main } from "../tools/cli/src/main.js";

/**
 * Interop: files written by @codec/torch-zip are read by the real torch
 * (Debian python3-torch) and compared value by value with what torch.load
 * gives for the original file made by torch.save.
 */
const fixtures = repoPath("packages/torch-zip/test/fixtures");
const expected = JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8")) as Record<string, { kind: string; unsupported?: string[] }>;
const work = mkdtempSync(join(tmpdir(), "torch-interop-"));

const COMPARE = `
import argparse, sys, json, collections
import numpy as np, torch

def raw(x):
    # Bit patterns, so NaNs and -0.0 compare exactly; quantized tensors by their integers.
    if x.is_quantized:
        x = x.int_repr()
    x = x.contiguous().reshape(-1)
    return x if x.dtype == torch.bool or x.numel() == 0 else x.view(torch.uint8)

def eq(a, b, path="root"):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and type(a) is type(b), f"{path}: type {type(a)} vs {type(b)}"
        assert a.dtype == b.dtype and a.shape == b.shape, f"{path}: {a.dtype}{tuple(a.shape)} vs {b.dtype}{tuple(b.shape)}"
        assert a.requires_grad == b.requires_grad, f"{path}: requires_grad"
        assert a.is_sparse == b.is_sparse, f"{path}: layout"
        x, y = (a.to_dense(), b.to_dense()) if a.is_sparse else (a, b)
        assert torch.equal(raw(x), raw(y)), f"{path}: values differ"
        if a.is_quantized:
            assert a.qscheme() == b.qscheme() and a.q_scale() == b.q_scale() and a.q_zero_point() == b.q_zero_point(), f"{path}: quantizer"
        if not a.is_sparse:
            assert a.stride() == b.stride() and a.storage_offset() == b.storage_offset(), f"{path}: view {a.stride()}+{a.storage_offset()} vs {b.stride()}+{b.storage_offset()}"
        return
    assert type(a) is type(b), f"{path}: type {type(a)} vs {type(b)}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), f"{path}: array"
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), f"{path}: keys {list(a.keys())} vs {list(b.keys())}"
        for k in a: eq(a[k], b[k], f"{path}.{k}")
        if not ignore_metadata and (hasattr(a, "_metadata") or hasattr(b, "_metadata")):
            assert getattr(a, "_metadata", None) == getattr(b, "_metadata", None), f"{path}: _metadata"
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: len"
        for i, (x, y) in enumerate(zip(a, b)): eq(x, y, f"{path}.{i}")
    elif isinstance(a, torch.nn.Module):
        eq(dict(a.__dict__), dict(b.__dict__), path + ".__dict__")
    elif isinstance(a, argparse.Namespace):
        eq(vars(a), vars(b), path)
    elif isinstance(a, (set, frozenset)):
        assert a == b, f"{path}: set"
    else:
        assert a == b or (a != a and b != b), f"{path}: {a!r} vs {b!r}"

class Small(torch.nn.Module):
    """The class whole_module.pt pickles as __main__.Small (tools/fixtures/torch/make_fixtures.py)."""

def load(path, weights_only):
    return torch.load(path, weights_only=weights_only) if weights_only else torch.load(path)

ours, original, weights_only = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
# A state dict rebuilt from a flat tensor map has no OrderedDict._metadata (module versions) to carry.
ignore_metadata = len(sys.argv) > 4 and sys.argv[4] == "nometa"
a = load(original, False)
b = load(ours, weights_only)
eq(a, b)
# Storage sharing survives: tensors that shared a storage in the original still do.
def tensors(v, out):
    if isinstance(v, torch.Tensor) and not v.is_sparse: out.append(v)
    elif isinstance(v, dict): [tensors(x, out) for x in v.values()]
    elif isinstance(v, (list, tuple)): [tensors(x, out) for x in v]
    return out
ta, tb = tensors(a, []), tensors(b, [])
shared_a = [[x.untyped_storage().data_ptr() == y.untyped_storage().data_ptr() if hasattr(x, "untyped_storage") else x.storage().data_ptr() == y.storage().data_ptr() for y in ta] for x in ta]
shared_b = [[x.untyped_storage().data_ptr() == y.untyped_storage().data_ptr() if hasattr(x, "untyped_storage") else x.storage().data_ptr() == y.storage().data_ptr() for y in tb] for x in tb]
assert shared_a == shared_b, "storage sharing differs"
print(json.dumps({"ok": True, "tensors": len(tb)}))
`;

function python(script: string, args: string[]): string {
  return execFileSync("/usr/bin/python3", ["-c", script, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const STATE_DICTS = new Set(["squeezenet1_1.pt", "dtypes.pt", "dtypes_legacy.pt", "views.pt", "views_legacy.pt", "sparse.pt"]);

describe("torch.load reads files written by @codec/torch-zip", () => {
  const files = Object.keys(expected).filter((f) => ["zip", "legacy", "legacy-tar"].includes(expected[f].kind) && f !== "dtypes_be.pt");
  for (const file of files) {
    const weightsOnly = STATE_DICTS.has(file);
    it(`${file}: re-encoded file loads${weightsOnly ? " with weights_only=True" : ""} to equal objects`, async () => {
      const out = join(work, file);
      writeFileSync(out, await reencodeTorch(readFileSync(join(fixtures, file))));
      const r = JSON.parse(python(COMPARE, [out, join(fixtures, file), weightsOnly ? "1" : "0"]).trim().split("\n").pop() ?? "{}");
      expect(r.ok).toBe(true);
    });
  }

  it("the big-endian file re-encodes little-endian and loads equal to the original little-endian file", async () => {
    const out = join(work, "dtypes_be_le.pt");
    writeFileSync(out, await reencodeTorch(readFileSync(join(fixtures, "dtypes_be.pt"))));
    const r = JSON.parse(python(COMPARE, [out, join(fixtures, "dtypes.pt"), "1"]).trim().split("\n").pop() ?? "{}");
    expect(r.ok).toBe(true);
  });

  it("a state dict of core Tensors loads with weights_only=True, values equal", async () => {
    const src = await openTorch(readFileSync(join(fixtures, "dtypes.pt")));
    const tensors: Record<string, Tensor> = {};
    for (const n of src.names()) tensors[n] = await src.get(n);
    tensors.alias = tensors.float32;
    const out = join(work, "from_tensors.pt");
    writeFileSync(out, await saveTorch(tensors, { archiveName: "from_tensors" }));
    const script = `
import sys, torch, json
a = torch.load(sys.argv[1], weights_only=True)
b = torch.load(sys.argv[2])
assert type(a).__name__ == "OrderedDict", type(a)
for k, v in b.items():
    x, y = a[k].contiguous().reshape(-1), v.contiguous().reshape(-1)
    if v.numel() and v.dtype != torch.bool: x, y = x.view(torch.uint8), y.view(torch.uint8)
    assert torch.equal(x, y) and a[k].dtype == v.dtype and a[k].shape == v.shape, k
assert a["alias"].data_ptr() == a["float32"].data_ptr()
print(json.dumps({"ok": True, "n": len(a)}))
`;
    expect(JSON.parse(python(script, [out, join(fixtures, "dtypes.pt")]).trim()).ok).toBe(true);
  });

  it("ZIP64 records (as files over 4 GiB need them) load with torch.load", async () => {
    const src = await openTorch(readFileSync(join(fixtures, "checkpoint_adam.pt")));
    const out = join(work, "zip64.pt");
    writeFileSync(out, await saveTorch(src.object, { archiveName: "zip64", forceZip64: true }));
    const r = JSON.parse(python(COMPARE, [out, join(fixtures, "checkpoint_adam.pt"), "0"]).trim().split("\n").pop() ?? "{}");
    expect(r.ok).toBe(true);
  });

  it("a state dict written from another TensorMap (convert X -> .pt) loads with weights_only=True", async () => {
    const src = await openTorch(readFileSync(join(fixtures, "squeezenet1_1.pt")));
    const out = join(work, "from_map.pt");
    writeFileSync(out, await saveTorch(stateDictFromMap(src), { archiveName: "from_map" }));
    const r = JSON.parse(python(COMPARE, [out, join(fixtures, "squeezenet1_1.pt"), "1", "nometa"]).trim().split("\n").pop() ?? "{}");
    expect(r.ok).toBe(true);
  });

  for (const file of ["script_small.pt", "traced_const.pt", "script_nested.pt"]) {
    it(`${file}: re-encoded TorchScript archive loads with torch.jit.load, same state_dict and outputs`, async () => {
      const out = join(work, file);
      writeFileSync(out, await reencodeTorch(readFileSync(join(fixtures, file))));
      const script = `
import sys, torch
a, b = torch.jit.load(sys.argv[1]), torch.jit.load(sys.argv[2])
sa, sb = a.state_dict(), b.state_dict()
assert list(sa) == list(sb)
for k in sa: assert torch.equal(sa[k], sb[k]), k
print("ok")
`;
      expect(python(script, [out, join(fixtures, file)]).trim()).toBe("ok");
    });
  }

  it("codec convert: torch -> safetensors -> torch and torch -> npz, read by torch and numpy", async () => {
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => void out.push(t) }, stderr: { write: (t: string) => void out.push(t) } };
    const src = join(fixtures, "checkpoint_adam.pt");
    const st = join(work, "ck.safetensors");
    const back = join(work, "ck_back.pt");
    const npz = join(work, "ck.npz");
    expect(await main(["convert", src, st], { io })).toBe(0);
    expect(await main(["convert", st, back], { io })).toBe(0);
    expect(await main(["convert", src, npz], { io })).toBe(0);
    const script = `
import sys, torch, numpy as np
src = torch.load(sys.argv[1])
back = torch.load(sys.argv[2], weights_only=True)
z = np.load(sys.argv[3])
flat = {}
def walk(v, p):
    if isinstance(v, torch.Tensor): flat[p] = v
    elif isinstance(v, np.ndarray): flat[p] = torch.from_numpy(v)
    elif isinstance(v, dict): [walk(x, f"{p}.{k}" if p else str(k)) for k, x in v.items()]
walk(src, "")
assert sorted(flat) == sorted(back) == sorted(z.files), (sorted(flat), sorted(back))
for k, v in flat.items():
    assert torch.equal(back[k], v) and torch.equal(torch.from_numpy(z[k]), v), k
print("ok", len(flat))
`;
    expect(python(script, [src, back, npz]).trim()).toMatch(/^ok 28$/);
  });
});
