import { readFileSync } from "node:fs";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { type Hdf5Dataset, openHdf5, openHdf5FileSync } from "../src/index.js";
import { reencodeHdf5 } from "../src/write/index.js";

/**
 * HDF5 1.12 revised references (trefer_*.h5, written by libhdf5's test/trefer.c).
 * h5py 3.7 and the installed h5dump (1.10) cannot read them, so the expected
 * values are the ones trefer.c selects: the attribute names it references, the
 * region selections of test_reference_region (6x6 block at (2,2); the ten
 * points coord1; the unlimited hyperslab start (1,8) stride (4,1) count
 * (UNLIMITED,1) block (2,2)), and a deleted object's reference (no path).
 */
const load = (f: string) => new Uint8Array(readFileSync(corpusPath("hdf5", "hdf5", f)));

describe.runIf(hasCorpus("hdf5"))("revised references", () => {
  it("decodes attribute references to the object path and attribute name", () => {
    const f = openHdf5FileSync(load("trefer_attr.h5"));
    const ds = f.get("Dataset3") as Hdf5Dataset;
    expect(ds.type).toMatchObject({ class: "reference", revised: true, size: 18 });
    expect(ds.tensorInfo()).toBeUndefined();
    expect(ds.values().map((v) => [(v as { path: string }).path, (v as { attribute: string }).attribute])).toEqual([
      ["/Group1/Dataset1", "Attr1"],
      ["/Group1/Dataset2", "Attr1"],
      ["/Group1", "Attr2"],
      ["/Group1/Datatype1", "Attr3"],
    ]);
  });

  it("decodes region references with their selections", async () => {
    const bytes = load("trefer_reg.h5");
    const f = openHdf5FileSync(bytes);
    const v = (f.get("Dataset1") as Hdf5Dataset).values();
    expect(v[0]).toEqual({ reference: "region", address: 195, path: "/Dataset2", rank: 2, selection: { kind: "regular", rank: 2, start: [2, 2], stride: [1, 1], count: [1, 1], block: [6, 6] } });
    expect((v[1] as { selection: { coords: number[][] } }).selection.coords).toEqual([[6, 9], [2, 2], [8, 4], [1, 6], [2, 8], [3, 2], [0, 4], [9, 0], [7, 1], [3, 3]]);
    expect((v[2] as { selection: unknown }).selection).toEqual({ kind: "regular", rank: 2, start: [1, 8], stride: [4, 1], count: [null, 1], block: [2, 2] });
    // Unwritten data (no storage): an unset reference decodes as null.
    expect((f.get("DS_NA") as Hdf5Dataset).values()).toEqual([null]);
    // References stay out of the TensorMap; the writer refuses to re-encode them.
    const m = await openHdf5(bytes);
    expect(m.names()).toEqual(["Dataset2"]);
    await expect(reencodeHdf5(bytes)).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });

  it("decodes an inline object reference; a deleted target has no path", () => {
    const f = openHdf5FileSync(load("trefer_obj_del.h5"));
    expect((f.get("Dataset2") as Hdf5Dataset).values()).toEqual([{ reference: "object", address: 800, path: null }]);
  });
});
