import { describe, expect, it } from "vitest";
import { codecError, f32, runOp, t, values } from "./test-support.js";

describe("Det", () => {
  it("computes 2x2 and 3x3 determinants, batched", () => {
    const [y] = runOp("Det", [f32([2, 2, 2], [1, 2, 3, 4, 2, 0, 0, 3])]);
    expect(y.shape).toEqual([2]);
    expect(values(y)).toEqual([-2, 6]);
    // Needs a row swap (zero first pivot): det [[0,1,2],[3,4,5],[6,7,9]] = -3.
    const [z] = runOp("Det", [t("float64", [3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 9])]);
    expect(z.shape).toEqual([]);
    expect(values(z)[0]).toBeCloseTo(-3, 12);
  });

  it("gives 0 for a singular matrix and 1 for 0x0 matrices", () => {
    expect(values(runOp("Det", [f32([2, 2], [1, 2, 2, 4])])[0])).toEqual([0]);
    expect(values(runOp("Det", [f32([2, 0, 0], [])])[0])).toEqual([1, 1]);
  });

  it("rejects non-square, rank-1 and integer inputs", () => {
    expect(codecError(() => runOp("Det", [f32([2, 3], [1, 2, 3, 4, 5, 6])]))).toBe("CORRUPT");
    expect(codecError(() => runOp("Det", [f32([4], [1, 2, 3, 4])]))).toBe("CORRUPT");
    expect(codecError(() => runOp("Det", [t("int32", [1, 1], [3])]))).toBe("UNSUPPORTED");
  });
});
