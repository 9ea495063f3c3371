import { describe, expect, it } from "vitest";
import { copyRange, pairValues } from "./literal-arrays.js";

describe("literal-built result arrays", () => {
  const items = Array.from({ length: 40 }, (_, i) => `v${i}`);
  it("copyRange equals slice for every length, the literal ones and beyond", () => {
    for (let from = 0; from < 3; from++) for (let n = 0; n <= 12; n++) expect(copyRange(items, from, from + n)).toEqual(items.slice(from, from + n));
  });
  it("pairValues takes every second item after `from` for every count", () => {
    for (let from = 0; from < 3; from++) {
      for (let n = 1; n <= 12; n++) expect(pairValues(items, from, n)).toEqual(Array.from({ length: n }, (_, k) => items[from + 1 + 2 * k]));
    }
  });
  it("returns arrays the caller owns", () => {
    const a = copyRange(items, 0, 3);
    a.push("x");
    expect(items[3]).toBe("v3");
  });
});
