import { describe, expect, it } from "vitest";
import { Tensor, type TensorMap } from "./tensor.js";
import { tensorMapSubset } from "./tensor-map-subset.js";
import { isCodecError } from "./errors.js";

describe("tensorMapSubset", () => {
  const t = new Tensor({ dtype: "uint8", shape: [1], data: new Uint8Array([7]) });
  let closed = 0;
  const map: TensorMap = {
    format: "x",
    metadata: { k: "v" },
    names: () => ["a", "b", "c"],
    info: (name) => ({ name, dtype: "uint8", shape: [1] }),
    get: async () => t,
    close: async () => {
      closed++;
    },
  };
  it("lists the kept names in order, passes reads and close through, refuses the others", async () => {
    const v = tensorMapSubset(map, ["c", "a"]);
    expect([v.format, v.metadata, v.names()]).toEqual(["x", { k: "v" }, ["c", "a"]]);
    expect(await v.get("a")).toBe(t);
    await v.close?.();
    expect(closed).toBe(1);
    let err: unknown;
    try {
      v.info("b");
    } catch (e) {
      err = e;
    }
    expect(isCodecError(err) && err.code === "USAGE").toBe(true);
  });
});
