/**
 * Virtual datasets made by h5py (libhdf5 writes the mapping block): same
 * file sources ("."), strided and unlimited hyperslabs, sources in other
 * files through externalLink, unmapped elements as the fill value.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { type Hdf5Dataset, type Hdf5File, openHdf5FileSync } from "../src/index.js";

const PY = "/usr/bin/python3";
const hasH5py = existsSync(PY) && (() => {
  try {
    execFileSync(PY, ["-c", "import h5py"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Run a script with `d` = a temp dir; it prints the expected values as JSON. */
function make(script: string): { dir: string; expected: Record<string, number[]> } {
  const dir = mkdtempSync(join(tmpdir(), "hdf5-vds-"));
  const out = execFileSync(PY, ["-c", `import h5py, numpy as np, json, os\nd = ${JSON.stringify(dir)}\nos.chdir(d)\n${script}`], { encoding: "utf8" });
  return { dir, expected: JSON.parse(out) };
}

function open(dir: string, name: string): Hdf5File {
  const opts = {
    externalLink: (f: string): Hdf5File | undefined => (existsSync(join(dir, f)) ? openHdf5FileSync(new Uint8Array(readFileSync(join(dir, f))), opts) : undefined),
  };
  return openHdf5FileSync(new Uint8Array(readFileSync(join(dir, name))), opts);
}

describe.runIf(hasH5py)("virtual datasets", () => {
  it("maps same-file sources through strided hyperslabs with the fill value elsewhere", () => {
    const { dir, expected } = make(`
with h5py.File("v.h5", "w", libver="latest") as f:
    f["a"] = np.arange(12, dtype="<i4").reshape(3, 4)
    f["b"] = np.arange(100, 106, dtype="<i4")
    lay = h5py.VirtualLayout(shape=(6, 8), dtype="<i4")
    lay[0:6:2, 0:4] = h5py.VirtualSource(".", "a", shape=(3, 4))
    lay[5, 2:8] = h5py.VirtualSource(".", "b", shape=(6,))
    f.create_virtual_dataset("v", lay, fillvalue=-1)
    print(json.dumps({"v": f["v"][()].reshape(-1).tolist(), "slab": f["v"][1:5, 3:6].reshape(-1).tolist()}))
`);
    const ds = open(dir, "v.h5").get("/v") as Hdf5Dataset;
    expect(ds.shape).toEqual([6, 8]);
    expect(Array.from(ds.read().typed() as Int32Array)).toEqual(expected.v);
    expect(Array.from(ds.read({ start: [1, 3], count: [4, 3] }).typed() as Int32Array)).toEqual(expected.slab);
  });

  it("sizes an unlimited virtual dataset from sources in other files", () => {
    const { dir, expected } = make(`
for i, n in enumerate([3, 5]):
    with h5py.File(f"s{i}.h5", "w") as s:
        s.create_dataset("x", data=np.arange(n * 2, dtype="<f8").reshape(n, 2) + 10 * i, maxshape=(None, 2), chunks=(1, 2))
U = h5py.h5s.UNLIMITED
with h5py.File("v.h5", "w", libver="latest") as f:
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_fill_value(np.array(np.nan))
    vspace = h5py.h5s.create_simple((1, 4), (U, 4))  # the stored extent is stale: libhdf5 sizes it from the sources
    for i in range(2):
        v = vspace.copy(); v.select_hyperslab((0, 2 * i), (1, 1), (1, 1), (U, 2))
        s = h5py.h5s.create_simple((3, 2), (U, 2)); s.select_hyperslab((0, 0), (1, 1), (1, 1), (U, 2))
        dcpl.set_virtual(v, f"s{i}.h5".encode(), b"x", s)
    h5py.h5d.create(f.id, b"v", h5py.h5t.IEEE_F64LE, vspace, dcpl=dcpl)
with h5py.File("v.h5", "r") as f:
    v = f["v"][()]
    print(json.dumps({"shape": list(v.shape), "v": [None if np.isnan(x) else x for x in v.reshape(-1).tolist()]}))
`);
    const ds = open(dir, "v.h5").get("/v") as Hdf5Dataset;
    expect(ds.shape).toEqual(expected.shape);
    expect(Array.from(ds.read().typed() as Float64Array, (x) => (Number.isNaN(x) ? null : x))).toEqual(expected.v);
    // Without a resolver the other files cannot be read: a clear refusal, never silent fill.
    const bare = openHdf5FileSync(new Uint8Array(readFileSync(join(dir, "v.h5"))));
    let err: unknown;
    try {
      (bare.get("/v") as Hdf5Dataset).read();
    } catch (e) {
      err = e;
    }
    expect(isCodecError(err) && err.code === "UNSUPPORTED").toBe(true);
  });
});
