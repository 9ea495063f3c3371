import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sniffFormat } from "@codec/core";
import { describe, expect, it } from "vitest";
import { type Hdf5Dataset, openHdf5, openHdf5FileSync, registerFilter, unregisterFilter } from "../index.js";

const PY = "/usr/bin/python3";
const hasH5py = existsSync(PY) && (() => {
  try {
    execFileSync(PY, ["-c", "import h5py"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function makeFile(script: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "hdf5-read-"));
  const path = join(dir, "t.h5");
  execFileSync(PY, ["-c", `import h5py, numpy as np\nf = h5py.File(${JSON.stringify(path)}, "w")\n${script}\nf.close()`]);
  // A plain Uint8Array: core's Tensor.typed() realigns with slice(), which is a view on Buffers.
  return new Uint8Array(readFileSync(path));
}

describe.runIf(hasH5py)("hdf5 reader on h5py files", () => {
  it("reads h5py defaults, bool, complex, strings and a hyperslab of a chunked dataset", async () => {
    const bytes = makeFile(`
f.attrs["version"] = "1.0"
f.attrs["n"] = 3
f.create_dataset("a/b/w", data=np.arange(24, dtype="<f4").reshape(4, 6))
f.create_dataset("z", data=np.arange(1000, dtype=">i2").reshape(10, 100), chunks=(3, 7), compression="gzip", shuffle=True, fletcher32=True)
f.create_dataset("flags", data=np.array([True, False, True]))
f.create_dataset("c", data=np.array([1+2j, 3-4j], dtype="c8"))
f.create_dataset("s", data=np.array(["x", "yy"], dtype=h5py.string_dtype()))
f.create_dataset("u", shape=(5,), dtype="f8", chunks=(2,), fillvalue=7.5)
f.create_dataset("g", data=np.arange(30000, dtype="<f4").reshape(300, 100), chunks=(64, 50), compression="gzip", shuffle=True)
`);
    expect(sniffFormat(bytes.subarray(0, 4096), bytes.length, "t.h5")).toBe("hdf5");
    const map = await openHdf5(bytes);
    expect(map.names().sort()).toEqual(["a/b/w", "c", "flags", "g", "s", "u", "z"]);
    expect(map.metadata).toEqual({ version: "1.0", n: 3 });
    const w = await map.get("a/b/w");
    expect(w.dtype).toBe("float32");
    expect(w.copied).toBe(false);
    expect(Array.from(w.typed() as Float32Array)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect((await map.get("flags")).dtype).toBe("bool");
    expect(Array.from((await map.get("c")).typed() as Float32Array)).toEqual([1, 2, 3, -4]);
    expect((await map.get("s")).strings()).toEqual(["x", "yy"]);
    expect(Array.from((await map.get("u")).typed() as Float64Array)).toEqual([7.5, 7.5, 7.5, 7.5, 7.5]);
    const g = map.file.get("g") as Hdf5Dataset;
    const sync = g.read();
    const par = await g.readAsync();
    expect(Array.from(par.typed() as Float32Array)).toEqual(Array.from(sync.typed() as Float32Array));
    expect((sync.typed() as Float32Array)[29999]).toBe(29999);
    const box = await g.readAsync({ start: [60, 40], count: [10, 20] });
    expect((box.typed() as Float32Array)[0]).toBe(6040);
    const z = map.file.get("z") as Hdf5Dataset;
    const part = z.read({ start: [2, 10], count: [3, 5] });
    expect(part.shape).toEqual([3, 5]);
    expect(Array.from(part.typed() as Int16Array)).toEqual([210, 211, 212, 213, 214, 310, 311, 312, 313, 314, 410, 411, 412, 413, 414]);
  });

  it("uses a registered filter implementation before the built-in one", () => {
    const bytes = makeFile(`f.create_dataset("x", data=np.zeros(1000, dtype="u1"), chunks=(500,), compression="lzf")`);
    registerFilter(32000, "lzf", () => {
      throw new Error("plugin called");
    });
    try {
      const file = openHdf5FileSync(bytes);
      expect(() => (file.get("x") as Hdf5Dataset).read()).toThrow(/plugin called/);
    } finally {
      unregisterFilter(32000);
    }
    const file = openHdf5FileSync(bytes);
    const t = (file.get("x") as Hdf5Dataset).read();
    expect(t.bytes().length).toBe(1000);
    expect(t.bytes().every((b) => b === 0)).toBe(true);
  });

  it("rejects bad input with CodecErrors", () => {
    const bytes = makeFile(`f.create_dataset("x", data=np.arange(10))`);
    expect(() => openHdf5FileSync(bytes.subarray(0, 100))).toThrow(/hdf5/);
    expect(() => openHdf5FileSync(new Uint8Array(64))).toThrow(/signature/);
  });
});
