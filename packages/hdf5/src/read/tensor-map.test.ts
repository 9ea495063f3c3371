import { describe, expect, it } from "vitest";
import { Hdf5Writer } from "../write/index.js";
import { intType } from "../write/standard-types.js";
import type { Hdf5Dataset } from "./file.js";
import { openHdf5 } from "./tensor-map.js";

describe("openHdf5 listing", () => {
  it("does not list a dataset with a null dataspace (h5py.Empty) as a tensor", async () => {
    const w = new Hdf5Writer();
    w.createDataset("empty", { type: intType(4, true), space: { kind: "null", dims: [] }, data: new Uint8Array(0) });
    w.createDataset("scalar", { type: intType(4, true), space: [], data: new Uint8Array([7, 0, 0, 0]) });
    const map = await openHdf5(w.finish());
    expect(map.names()).toEqual(["scalar"]);
    expect((map.file.get("empty") as Hdf5Dataset).tensorInfo()).toBeUndefined();
    expect(Array.from((await map.get("scalar")).typed() as Int32Array)).toEqual([7]);
  });
});
