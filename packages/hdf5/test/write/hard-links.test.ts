import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, type Hdf5Group, openHdf5File } from "../../src/read/index.js";
import { Hdf5Writer, reencodeHdf5 } from "../../src/write/index.js";

/** Several hard links to one object: laid out once, every name points at the same header. */

const f32 = (v: number[]) => new Tensor({ dtype: "float32", shape: [v.length], data: new Uint8Array(new Float32Array(v).buffer) });

function build(profile: "default" | "latest"): Uint8Array {
  const w = new Hdf5Writer({ profile });
  w.createDataset("data/x", f32([1, 2, 3]));
  w.createHardLink("same_x", "data/x");
  w.createHardLink("other/also_x", "/data/x");
  w.createHardLink("data_again", "data");
  w.createHardLink("data/up_to_root", "/");
  for (let i = 0; i < 10; i++) w.createHardLink(`many/x${i}`, "data/x");
  return w.finish();
}

describe("hard links written by Hdf5Writer", () => {
  for (const profile of ["default", "latest"] as const) {
    it(`${profile} profile: every name reaches the same object`, async () => {
      const f = await openHdf5File(build(profile));
      const x = f.get("data/x") as Hdf5Dataset;
      for (const p of ["same_x", "other/also_x", "data_again/x", "many/x7", "data/up_to_root/data/x"]) {
        const o = f.get(p);
        expect(o).toBeInstanceOf(Hdf5Dataset);
        expect((o as Hdf5Dataset).address).toBe(x.address);
      }
      expect((f.get("data_again") as Hdf5Group).address).toBe((f.get("data") as Hdf5Group).address);
      expect((f.get("data/up_to_root") as Hdf5Group).address).toBe(f.root.address);
      // Listed once (by its first path in name order), cycles not followed.
      expect(f.datasetPaths()).toEqual(["data/x"]);
      expect(Array.from(x.read().data as Uint8Array)).toEqual(Array.from(new Uint8Array(new Float32Array([1, 2, 3]).buffer)));
    });

    it(`${profile} profile: re-encoding keeps one object with several names`, async () => {
      const f = await openHdf5File(await reencodeHdf5(build(profile)));
      const x = f.get("data/x") as Hdf5Dataset;
      expect((f.get("many/x3") as Hdf5Dataset).address).toBe(x.address);
      expect((f.get("data/up_to_root") as Hdf5Group).address).toBe(f.root.address);
    });
  }

  it("refuses a link to nothing and a link over an existing name", () => {
    const w = new Hdf5Writer();
    w.createDataset("a", f32([1]));
    expect(() => w.createHardLink("b", "missing")).toThrow(/no object/);
    expect(() => w.createHardLink("a", "a")).toThrow(/already exists/);
  });
});
