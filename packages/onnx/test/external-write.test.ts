import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCodecError, Tensor, type TensorMap } from "@codec/core";
import { encodeOnnx, ExternalDataFile, openOnnx, reencodeOnnx } from "@codec/onnx";
import { needsExternalData, onnxFileOptions, openOnnxFile, reencodeOnnxFile, writeOnnxFile } from "@codec/onnx/node";
import { repoPath, tensorMapOf } from "@codec/testing";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Writing external data (external-writer.ts): what onnx's loader needs
 * (location / offset / length, data_location EXTERNAL), offsets aligned for
 * in-place views, small and string tensors kept inside, and the 2 GiB
 * switch. Python onnx reading these files is in interop/onnx.test.ts.
 */

const tmp = mkdtempSync(join(tmpdir(), "onnx-ext-write-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function floats(n: number, seed: number): Tensor {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.37 + seed);
  return new Tensor({ dtype: "float32", shape: [n], data: new Uint8Array(a.buffer) });
}

const tensors = {
  big: floats(300_000, 1), // 1.2 MB: aligned to 64 KiB
  mid: floats(1000, 2), // 4000 bytes: external, aligned to 64
  odd: new Tensor({ dtype: "uint8", shape: [1500], data: new Uint8Array(1500).map((_, i) => i * 7) }),
  small: floats(10, 3), // 40 bytes: under the threshold, stays inside
  names: new Tensor({ dtype: "string", shape: [2], data: ["a", "bc"] }),
  after: floats(2000, 4),
};

async function bytesOf(map: TensorMap): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of map.names()) {
    const t = await map.get(n);
    out[n] = t.dtype === "string" ? JSON.stringify(t.strings()) : Buffer.from(t.bytes()).toString("hex");
  }
  return out;
}

describe("writing external data", () => {
  it("a data file in a missing directory is an IO CodecError, as the model file would be", async () => {
    const path = join(tmp, "model.onnx");
    let err: unknown;
    try {
      await writeOnnxFile(path, tensorMapOf(tensors), { externalData: new ExternalDataFile("weights/model.bin") });
    } catch (e) {
      err = e;
    }
    expect(isCodecError(err) && err.code === "IO").toBe(true);
  });

  it("round-trips through openOnnxFile, and offsets are aligned", async () => {
    const path = join(tmp, "m2.onnx");
    const file = new ExternalDataFile("m2.onnx.data");
    const src = tensorMapOf(tensors);
    await writeOnnxFile(path, src, { externalData: file });
    const data = readFileSync(join(tmp, "m2.onnx.data"));
    expect(data.length).toBe(file.length);
    const back = await openOnnxFile(path);
    expect(back.names()).toEqual(Object.keys(tensors));
    expect(await bytesOf(back)).toEqual(await bytesOf(src));
    await back.close();
    // The model itself holds only the small and string tensors' data.
    const model = readFileSync(path);
    expect(model.length).toBeLessThan(2000);
    // Offsets, read back from the TensorProtos as python's external_data_helper would.
    const offsets = externalEntries(model);
    expect(Object.keys(offsets).sort()).toEqual(["after", "big", "mid", "odd"]);
    expect(offsets.big.offset % 65536).toBe(0);
    for (const k of ["mid", "odd", "after"]) expect(offsets[k].offset % 64, k).toBe(0);
    expect(offsets.big.length).toBe(1_200_000);
    expect(offsets.odd.length).toBe(1500);
    for (const e of Object.values(offsets)) expect(e.location).toBe("m2.onnx.data");
  });

  it("a size threshold of 0 sends every non-empty numeric tensor out; strings and empty tensors stay inside", async () => {
    const src = tensorMapOf({ e: new Tensor({ dtype: "float32", shape: [0, 3], data: new Uint8Array(0) }), s: tensors.small, w: tensors.names });
    const file = new ExternalDataFile("all.bin", 0);
    const model = await encodeOnnx(src, { externalData: file });
    // An empty tensor stays inside: python onnx reads an external length of 0 as "the rest of the file".
    expect(Object.keys(externalEntries(model)).sort()).toEqual(["s"]);
    const data = new Uint8Array(file.length);
    let at = 0;
    for (const p of file.parts) {
      data.set(p, at);
      at += p.length;
    }
    const back = await openOnnx(model, { externalData: () => data });
    expect(await bytesOf(back)).toEqual(await bytesOf(src));
  });

  it("refuses locations outside the model's directory (UNSAFE), as readers do", () => {
    for (const bad of ["../x.bin", "/abs/x.bin", "a/../../x.bin", "C:\\x.bin", "", "a\0b"]) {
      let err: unknown;
      try {
        new ExternalDataFile(bad);
      } catch (e) {
        err = e;
      }
      expect(isCodecError(err) && err.code === "UNSAFE", JSON.stringify(bad)).toBe(true);
    }
  });

  it("needsExternalData: only when the listing does not fit in protobuf's 2 GiB", () => {
    const huge = { name: "w", dtype: "float32" as const, shape: [600_000_000] };
    const map = (shape: number[]): TensorMap => ({ format: "t", metadata: {}, names: () => ["w"], info: () => ({ ...huge, shape }), get: () => Promise.reject(new Error("not read")) });
    expect(needsExternalData(map([600_000_000]))).toBe(true);
    expect(needsExternalData(map([1000, 1000]))).toBe(false);
    expect(needsExternalData(tensorMapOf(tensors))).toBe(false);
  });
});

describe("re-encoding with external data moved", () => {
  const fixture = repoPath("packages/onnx/test/fixtures/external_attr/model.onnx");

  it("reencodeOnnx with an ExternalDataFile keeps external tensors external, in the new file", async () => {
    const file = new ExternalDataFile("moved.bin", 0);
    const bytes = await reencodeOnnx(new Uint8Array(readFileSync(fixture)), onnxFileOptions(fixture), { externalData: file });
    expect(file.length).toBeGreaterThan(0);
    const entries = externalEntries(bytes);
    for (const e of Object.values(entries)) expect(e.location).toBe("moved.bin");
    const data = new Uint8Array(file.length);
    let at = 0;
    for (const p of file.parts) {
      data.set(p, at);
      at += p.length;
    }
    const moved = await openOnnx(bytes, { externalData: () => data });
    const original = await openOnnxFile(fixture);
    expect(await bytesOf(moved)).toEqual(await bytesOf(original));
    await original.close();
  });

  it("reencodeOnnxFile inlines when the model fits in 2 GiB (no data file)", async () => {
    const out = join(tmp, "inlined.onnx");
    await reencodeOnnxFile(fixture, out);
    expect(existsSync(`${out}.data`)).toBe(false);
    expect(Object.keys(externalEntries(readFileSync(out)))).toEqual([]);
  });
});

/**
 * name -> external_data of every TensorProto that has one, found by
 * walking ModelProto.graph (7) -> initializer (5) and node (1) ->
 * attribute (5) -> t (5) with a minimal wire reader.
 */
function externalEntries(model: Uint8Array): Record<string, { location: string; offset: number; length: number }> {
  const out: Record<string, { location: string; offset: number; length: number }> = {};
  const fields = (b: Uint8Array, start: number, end: number): [number, number, number, number][] => {
    const r: [number, number, number, number][] = [];
    let p = start;
    const varint = (): number => {
      let v = 0;
      let m = 1;
      for (;;) {
        const c = b[p++];
        v += (c & 0x7f) * m;
        m *= 128;
        if (c < 0x80) return v;
      }
    };
    while (p < end) {
      const tag = varint();
      const wire = tag & 7;
      if (wire === 0) r.push([tag >>> 3, wire, varint(), 0]);
      else if (wire === 2) {
        const n = varint();
        r.push([tag >>> 3, wire, p, p + n]);
        p += n;
      } else if (wire === 1) p += 8;
      else p += 4;
    }
    return r;
  };
  const text = (b: Uint8Array, s: number, e: number) => new TextDecoder().decode(b.subarray(s, e));
  const tensor = (s: number, e: number) => {
    let name = "";
    const kv: Record<string, string> = {};
    for (const [f, w, a, z] of fields(model, s, e)) {
      if (f === 8 && w === 2) name = text(model, a, z);
      if (f === 13 && w === 2) {
        let k = "";
        let v = "";
        for (const [g, , c, d] of fields(model, a, z)) {
          if (g === 1) k = text(model, c, d);
          if (g === 2) v = text(model, c, d);
        }
        kv[k] = v;
      }
    }
    if (kv.location !== undefined) out[name] = { location: kv.location, offset: Number(kv.offset), length: Number(kv.length) };
  };
  const graph = (s: number, e: number): void => {
    for (const [f, w, a, z] of fields(model, s, e)) {
      if (w !== 2) continue;
      if (f === 5) tensor(a, z);
      if (f === 1) for (const [g, gw, c, d] of fields(model, a, z)) if (g === 5 && gw === 2) for (const [h, hw, x, y] of fields(model, c, d)) if (h === 5 && hw === 2) tensor(x, y);
    }
  };
  for (const [f, w, a, z] of fields(model, 0, model.length)) if (f === 7 && w === 2) graph(a, z);
  return out;
}
