import { describe, expect, it } from "vitest";
import { ByteReader } from "./byte-reader.js";
import { keepShapeAlive } from "./keep-shape-alive.js";

describe("keepShapeAlive", () => {
  it("returns the instance it keeps, unchanged", () => {
    const r = new ByteReader(new Uint8Array([1, 2]), "test");
    expect(keepShapeAlive(r)).toBe(r);
    expect(r.u8()).toBe(1);
  });
});
