import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { Hdf5Writer } from "../write/index.js";
import { VLEN_UTF8 } from "../write/standard-types.js";
import { openHdf5 } from "./tensor-map.js";
import { withoutStringTensors } from "./without-strings.js";

describe("withoutStringTensors", () => {
  it("keeps numeric datasets, drops string datasets, and refuses the dropped names", async () => {
    const w = new Hdf5Writer();
    w.createDataset("a/x", new Tensor({ dtype: "float32", shape: [2], data: new Uint8Array(new Float32Array([1, 2]).buffer) }));
    w.createDataset("names", { type: VLEN_UTF8, space: [2], data: ["p", "q"] });
    const map = await openHdf5(w.finish());
    expect(map.names().sort()).toEqual(["a/x", "names"]);
    const carried = withoutStringTensors(map);
    expect(carried.names()).toEqual(["a/x"]);
    expect(Array.from((await carried.get("a/x")).typed() as Float32Array)).toEqual([1, 2]);
    expect(() => carried.info("names")).toThrow(/no tensor named 'names'/);
    await expect(carried.get("names")).rejects.toThrow(/no tensor named/);
  });

  it("returns the map itself when there is nothing to drop", async () => {
    const w = new Hdf5Writer();
    w.createDataset("x", new Tensor({ dtype: "int8", shape: [1], data: new Uint8Array([5]) }));
    const map = await openHdf5(w.finish());
    expect(withoutStringTensors(map)).toBe(map);
  });
});
