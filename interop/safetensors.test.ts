import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DTYPES, type DType, Tensor } from "@codec/core";
import { encodeSafetensors } from "@codec/safetensors";
import { writeSafetensorsFile, writeShardedSafetensorsFiles } from "@codec/safetensors/node";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Files we write, read back by an independent Python reading of the spec
 * (json + numpy, torch for bfloat16) and compared value by value.
 */

const PY_READER = String.raw`
import json, struct, sys, os
import numpy as np
import torch

NP = {"BOOL": "?", "U8": "u1", "I8": "i1", "I16": "<i2", "U16": "<u2", "F16": "<f2",
      "I32": "<i4", "U32": "<u4", "F32": "<f4", "F64": "<f8", "I64": "<i8", "U64": "<u8",
      "C64": "<c8", "F8_E4M3": "u1", "F8_E5M2": "u1"}

def values(dtype, raw, shape):
    if dtype == "BF16":
        t = torch.frombuffer(bytearray(raw), dtype=torch.bfloat16) if raw else torch.zeros(0, dtype=torch.bfloat16)
        return t.reshape(shape).float().flatten().tolist()
    a = np.frombuffer(raw, dtype=np.dtype(NP[dtype])).reshape(shape)
    flat = a.flatten()
    if dtype == "C64":
        return [[float(z.real), float(z.imag)] for z in flat]
    if dtype in ("I64", "U64"):
        return [str(int(v)) for v in flat]
    if dtype == "BOOL":
        return [bool(v) for v in flat]
    if dtype.startswith("F8_"):
        return [int(v) for v in flat]  # torch 1.13 has no float8: compare bit patterns
    if dtype.startswith("F"):
        return [repr(float(v)) for v in flat]
    return [int(v) for v in flat]

def read_file(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert n % 8 == 0, "header length is a multiple of 8"
    text = blob[8:8 + n]
    assert text.rstrip(b" ") == text.rstrip(), "only spaces pad the header"
    header = json.loads(text.decode("utf-8"))
    assert list(header)[0] == "__metadata__" or "__metadata__" not in header
    meta = header.pop("__metadata__", None)
    data = blob[8 + n:]
    spans = sorted(tuple(v["data_offsets"]) for v in header.values())
    pos = 0
    for s, e in spans:
        assert s == pos, "contiguous data"
        pos = e
    assert pos == len(data), "data section ends the file"
    out = {}
    for name, info in header.items():
        s, e = info["data_offsets"]
        out[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": values(info["dtype"], data[s:e], info["shape"])}
    return meta, out

target = sys.argv[1]
if target.endswith(".index.json"):
    index = json.load(open(target))
    folder = os.path.dirname(target)
    tensors, metas, total = {}, [], 0
    for shard in sorted(set(index["weight_map"].values())):
        meta, ts = read_file(os.path.join(folder, shard))
        metas.append(meta)
        for name, t in ts.items():
            assert index["weight_map"][name] == shard
            tensors[name] = t
            total += (np.prod(t["shape"], dtype=np.int64) * {"BF16": 2}.get(t["dtype"], np.dtype(NP.get(t["dtype"], "u1")).itemsize))
    assert int(total) == index["metadata"]["total_size"], (int(total), index["metadata"])
    print(json.dumps({"metadata": metas[0], "tensors": tensors, "index": index}))
else:
    meta, tensors = read_file(target)
    print(json.dumps({"metadata": meta, "tensors": tensors}))
`;

const dir = mkdtempSync(join(tmpdir(), "st-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pyRead(path: string): { metadata: Record<string, string> | null; tensors: Record<string, { dtype: string; shape: number[]; values: unknown[] }>; index?: unknown } {
  const script = join(dir, "reader.py");
  writeFileSync(script, PY_READER);
  return JSON.parse(execFileSync("/usr/bin/python3", [script, path], { encoding: "utf8", maxBuffer: 1 << 28 }));
}

/** What the Python reader should print for a tensor, computed on our side. */
function expectedValues(t: Tensor): unknown[] {
  const typed = t.typed();
  switch (t.dtype) {
    case "bool":
      return Array.from(typed as Uint8Array, (v) => v !== 0);
    case "int64":
    case "uint64":
      return Array.from(typed as BigInt64Array, (v) => v.toString());
    case "complex64": {
      const f = t.toFloat32();
      return Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]]);
    }
    case "bfloat16":
      return Array.from(t.toFloat32());
    case "float16":
    case "float32":
    case "float64":
      return Array.from(t.dtype === "float64" ? (typed as Float64Array) : t.toFloat32(), pyRepr);
    default:
      return Array.from(typed as Int32Array);
  }
}

/** Python's repr(float) for the values we generate (shortest round-trip, like JS). */
function pyRepr(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Number.POSITIVE_INFINITY) return "inf";
  if (v === Number.NEGATIVE_INFINITY) return "-inf";
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  if (/e/.test(s)) {
    const [m, e] = s.split("e");
    const exp = Number(e);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? `${s}.0` : s;
}

function filled(dtype: DType, shape: number[], fill: (i: number, view: DataView) => void): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n * DTYPES[dtype].size);
  const view = new DataView(data.buffer);
  for (let i = 0; i < n; i++) fill(i, view);
  return new Tensor({ dtype, shape, data });
}

function allDtypes(): Record<string, Tensor> {
  return {
    bool: filled("bool", [2, 3], (i, v) => v.setUint8(i, i % 3 === 0 ? 1 : 0)),
    uint8: filled("uint8", [5], (i, v) => v.setUint8(i, i * 60)),
    int8: filled("int8", [5], (i, v) => v.setInt8(i, [-128, -1, 0, 1, 127][i])),
    int16: filled("int16", [4], (i, v) => v.setInt16(i * 2, [-32768, -5, 9, 32767][i], true)),
    uint16: filled("uint16", [3], (i, v) => v.setUint16(i * 2, [0, 1, 65535][i], true)),
    float16: filled("float16", [4], (i, v) => v.setUint16(i * 2, [0x3c00, 0xc000, 0x7bff, 0x7c00][i], true)),
    bfloat16: filled("bfloat16", [2, 2], (i, v) => v.setUint16(i * 2, [0x4010, 0x3f80, 0xc060, 0x7f7f][i], true)),
    int32: filled("int32", [2, 2], (i, v) => v.setInt32(i * 4, [-(2 ** 31), -1, 7, 2 ** 31 - 1][i], true)),
    uint32: filled("uint32", [2], (i, v) => v.setUint32(i * 4, [0, 2 ** 32 - 1][i], true)),
    float32: filled("float32", [3, 4], (i, v) => v.setFloat32(i * 4, (i - 5) / 4, true)),
    float64: filled("float64", [3], (i, v) => v.setFloat64(i * 8, [Math.PI, -0, 1e300][i], true)),
    int64: filled("int64", [3], (i, v) => v.setBigInt64(i * 8, [-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n][i], true)),
    uint64: filled("uint64", [2], (i, v) => v.setBigUint64(i * 8, [2n ** 64n - 1n, 5n][i], true)),
    float8_e4m3fn: filled("float8_e4m3fn", [3], (i, v) => v.setUint8(i, [0x38, 0x7e, 0x01][i])),
    float8_e5m2: filled("float8_e5m2", [3], (i, v) => v.setUint8(i, [0x3c, 0x7b, 0xfc][i])),
    complex64: filled("complex64", [2], (i, v) => {
      v.setFloat32(i * 8, i + 0.5, true);
      v.setFloat32(i * 8 + 4, -i, true);
    }),
    scalar: filled("float32", [], (_, v) => v.setFloat32(0, 1.5, true)),
    empty: filled("int32", [0, 3], () => {}),
    "unicode.ﬁ.😀": filled("uint8", [1], (_, v) => v.setUint8(0, 9)),
  };
}

function compare(got: ReturnType<typeof pyRead>["tensors"], tensors: Record<string, Tensor>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    const g = got[name];
    expect(g.shape).toEqual(t.shape);
    expect(g.values).toEqual(expectedValues(t));
  }
}

describe("python reads what we write", () => {
  it("single file, every dtype (bf16 via torch), metadata", () => {
    const tensors = allDtypes();
    const path = join(dir, "all.safetensors");
    writeFileSync(path, encodeSafetensors(tensors, { format: "pt", "clé": "välue" }));
    const out = pyRead(path);
    expect(out.metadata).toEqual({ format: "pt", "clé": "välue" });
    compare(out.tensors, tensors);
  });

  it("streaming writer output", () => {
    const tensors = allDtypes();
    const path = join(dir, "streamed.safetensors");
    writeSafetensorsFile(path, tensors);
    const out = pyRead(path);
    expect(out.metadata).toBeNull();
    compare(out.tensors, tensors);
  });

  it("sharded sets", () => {
    const tensors = allDtypes();
    const shardDir = join(dir, "sharded");
    mkdirSync(shardDir);
    const res = writeShardedSafetensorsFiles(shardDir, tensors, { maxShardSize: 24, metadata: { format: "pt" } });
    expect(res.files.length).toBeGreaterThan(3);
    const out = pyRead(join(shardDir, "model.safetensors.index.json"));
    expect(out.metadata).toEqual({ format: "pt" });
    compare(out.tensors, tensors);
  });
});
