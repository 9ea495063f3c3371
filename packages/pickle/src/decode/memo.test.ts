import { describe, expect, it } from "vitest";
import { Memo } from "./memo.js";

describe("Memo", () => {
  it("keeps in-order slots across chunk boundaries", () => {
    const m = new Memo();
    for (let i = 0; i < 10_000; i++) m.put(i, i * 2);
    expect(m.size).toBe(10_000);
    for (const i of [0, 4095, 4096, 4097, 8191, 8192, 9999]) expect(m.get(i)).toBe(i * 2);
    expect(m.get(10_000)).toBeUndefined();
  });

  it("replaces a slot put again without counting it twice", () => {
    const m = new Memo();
    for (let i = 0; i < 5000; i++) m.put(i, "a");
    m.put(4500, "b");
    m.put(3, "c");
    expect([m.get(4500), m.get(3), m.size]).toEqual(["b", "c", 5000]);
  });

  it("keeps out-of-order and sparse slots apart, and does not let the dense part swallow them", () => {
    const m = new Memo();
    m.put(0, "zero");
    m.put(5, "five");
    m.put(1_000_000, "far");
    expect(m.size).toBe(3);
    m.put(1, "one");
    expect([m.get(0), m.get(1), m.get(5), m.get(1_000_000), m.get(2)]).toEqual(["zero", "one", "five", "far", undefined]);
    // Slot 5 is in the sparse map; reaching it in order keeps the map's value and its count.
    for (let i = 2; i < 5; i++) m.put(i, i);
    m.put(5, "five again");
    expect([m.get(5), m.size]).toEqual(["five again", 7]);
  });
});
