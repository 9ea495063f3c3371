import { describe, expect, it } from "vitest";
import { tensor } from "../tensor.js";
import { codecError, iota, runOp, t, values } from "./test-support.js";

describe("TensorScatter", () => {
  // Cache [batch 2, seq 3, 1]: 0 1 2 | 3 4 5.
  const past = iota([2, 3, 1]);

  it("writes each batch's update at its write index along axis -2", () => {
    const upd = t("float32", [2, 1, 1], [10, 20]);
    const [y] = runOp("TensorScatter", [past, upd, t("int64", [2], [2, 0])], {}, 24);
    expect(values(y)).toEqual([0, 1, 10, 20, 4, 5]);
    const [z] = runOp("TensorScatter", [past, upd], {}, 24);
    expect(values(z)).toEqual([10, 1, 2, 20, 4, 5]);
  });

  it("wraps around in circular mode, and works on string caches", () => {
    const upd = t("float32", [2, 2, 1], [10, 11, 20, 21]);
    const [y] = runOp("TensorScatter", [past, upd, t("int64", [2], [2, 1])], { mode: "circular" }, 24);
    expect(values(y)).toEqual([11, 1, 10, 3, 20, 21]);
    const [s] = runOp("TensorScatter", [tensor("string", [1, 2], ["a", "b"]), tensor("string", [1, 1], ["c"]), t("int64", [1], [1])], { axis: 1 }, 24);
    expect(s.data).toEqual(["a", "c"]);
  });

  it("rejects writes past the end, bad axes and mismatched shapes", () => {
    const upd = t("float32", [2, 2, 1], [10, 11, 20, 21]);
    expect(codecError(() => runOp("TensorScatter", [past, upd, t("int64", [2], [2, 0])], {}, 24))).toBe("CORRUPT");
    expect(codecError(() => runOp("TensorScatter", [past, upd, t("int64", [2], [-1, 0])], { mode: "circular" }, 24))).toBe("CORRUPT");
    expect(codecError(() => runOp("TensorScatter", [past, upd, t("int64", [1], [0])], {}, 24))).toBe("CORRUPT");
    expect(codecError(() => runOp("TensorScatter", [past, upd], { axis: 0 }, 24))).toBe("CORRUPT");
    expect(codecError(() => runOp("TensorScatter", [past, t("float32", [2, 4, 1], new Array(8).fill(0))], {}, 24))).toBe("CORRUPT");
    expect(codecError(() => runOp("TensorScatter", [past, t("float32", [2, 1, 2], [1, 2, 3, 4])], {}, 24))).toBe("CORRUPT");
  });
});
