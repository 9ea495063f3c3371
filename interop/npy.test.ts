import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DTYPES, type NumericDType, Tensor } from "@codec/core";
import { encodeNpy, encodeNpz } from "@codec/npy";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Our encoder -> numpy.load: every file we write is read by the real NumPy
 * and compared value by value (bit patterns, so NaN and -0.0 count) against
 * the values we meant to write, which Python receives as hex.
 */

const dir = mkdtempSync(join(tmpdir(), "codec-npy-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NP_NAMES: Record<string, string> = {
  bool: "bool", int8: "int8", uint8: "uint8", int16: "int16", uint16: "uint16", int32: "int32", uint32: "uint32",
  int64: "int64", uint64: "uint64", float16: "float16", float32: "float32", float64: "float64",
  complex64: "complex64", complex128: "complex128",
};

function sample(dtype: NumericDType, shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n * DTYPES[dtype].size);
  let x = seed * 2654435761;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  if (dtype === "bool") for (let i = 0; i < data.length; i++) data[i] &= 1;
  return new Tensor({ dtype, shape, data });
}

const CHECK = `
import sys, json, numpy as np
spec = json.load(open(sys.argv[1]))
bad = []
for item in spec:
    if item["npz"]:
        with np.load(item["path"]) as z:
            arrays = {k: z[k] for k in z.files}
    else:
        arrays = {"array": np.load(item["path"])}
    for t in item["tensors"]:
        a = arrays[t["name"]]
        want = np.frombuffer(bytes.fromhex(t["hex"]), dtype=np.dtype(t["dtype"]).newbyteorder("<")).reshape(t["shape"])
        ok = a.dtype == np.dtype(t["dtype"]) and list(a.shape) == t["shape"] and a.tobytes() == want.tobytes() and a.flags.c_contiguous
        # Value by value as well (NaN == NaN via equal_nan for inexact kinds).
        if ok and a.dtype.kind in "fc":
            ok = np.array_equal(a, want, equal_nan=True)
        elif ok:
            ok = np.array_equal(a, want)
        if not ok:
            bad.append(item["path"] + ":" + t["name"])
print(json.dumps(bad))
`;

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

function numpyCheck(spec: unknown[]): string[] {
  const specPath = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(specPath, JSON.stringify(spec));
  const out = execFileSync("/usr/bin/python3", ["-c", CHECK, specPath], { encoding: "utf8" });
  return JSON.parse(out) as string[];
}

describe("numpy.load reads what we write", () => {
  it("every dtype and shape as .npy (versions 1.0, 2.0, 3.0)", () => {
    const spec: unknown[] = [];
    let k = 0;
    for (const dtype of Object.keys(NP_NAMES) as NumericDType[]) {
      for (const shape of [[], [0], [5], [2, 3], [2, 1, 4], [3, 0, 2]]) {
        for (const version of ["1.0", "2.0", "3.0"] as const) {
          const t = sample(dtype, shape, k);
          const path = join(dir, `a${k++}.npy`);
          writeFileSync(path, encodeNpy(t, { version }));
          spec.push({ npz: false, path, tensors: [{ name: "array", dtype: NP_NAMES[dtype], shape, hex: hex(t.bytes()) }] });
        }
      }
    }
    expect(spec.length).toBe(14 * 6 * 3);
    expect(numpyCheck(spec)).toEqual([]);
  });

  it.each([false, true])(".npz with many members (compress=%s)", (compress) => {
    const tensors: Array<[string, Tensor]> = [];
    let k = 100;
    for (const dtype of Object.keys(NP_NAMES) as NumericDType[]) tensors.push([`layer.${k}.${dtype}`, sample(dtype, [3, 4], k++)]);
    tensors.push(["scalar", sample("float64", [], k++)]);
    tensors.push(["empty", sample("int32", [0, 7], k++)]);
    tensors.push(["big", sample("float32", [256, 300], k++)]);
    const path = join(dir, `m-${compress}.npz`);
    writeFileSync(path, encodeNpz(tensors, { compress }));
    const spec = [
      {
        npz: true,
        path,
        tensors: tensors.map(([name, t]) => ({ name, dtype: NP_NAMES[t.dtype], shape: t.shape, hex: hex(t.bytes()) })),
      },
    ];
    expect(numpyCheck(spec)).toEqual([]);
  });

  it("the files are byte-identical to numpy.save for the same arrays", () => {
    const t = sample("float32", [3, 5], 7);
    const path = join(dir, "same.npy");
    writeFileSync(path, encodeNpy(t));
    const script = "import sys, numpy as np; a = np.load(sys.argv[1]); import io; b = io.BytesIO(); np.save(b, a); print(b.getvalue() == open(sys.argv[1], 'rb').read())";
    expect(execFileSync("/usr/bin/python3", ["-c", script, path], { encoding: "utf8" }).trim()).toBe("True");
  });
});
