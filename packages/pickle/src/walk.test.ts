import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { PyDict, PyFloat, PyTuple, type PyValue } from "./model.js";
import { keyText, walkTensors } from "./walk.js";

/** A leaf stand-in: any array whose first item is the marker string. */
const leaf = (): PyValue[] => ["T"];
const isLeaf = (v: PyValue): boolean => Array.isArray(v) && v[0] === "T";
const dict = (entries: Array<[PyValue, PyValue]>): PyDict => {
  const d = new PyDict();
  for (const [k, v] of entries) d.set(k, v);
  return d;
};
const names = (root: PyValue, aliases: boolean): string[] => [...walkTensors(root, isLeaf, { aliases })].map(([p]) => p);

describe("walkTensors", () => {
  it("lists a shared tensor once by default and under every key with aliases (tied weights)", () => {
    const w = leaf();
    const sd = dict([
      ["embed.weight", w],
      ["head.weight", w],
    ]);
    expect(names(sd, false)).toEqual(["embed.weight"]);
    expect(names(sd, true)).toEqual(["embed.weight", "head.weight"]);
  });

  it("re-enters a shared container under each path with aliases", () => {
    const block = dict([["w", leaf()]]);
    const root = dict([
      ["a", block],
      ["b", block],
    ]);
    expect(names(root, false)).toEqual(["a.w"]);
    expect(names(root, true)).toEqual(["a.w", "b.w"]);
  });

  it("ends cycles in both modes", () => {
    const d = dict([["x", leaf()]]);
    const list: PyValue[] = [d];
    d.set("self", list);
    expect(names(list, false)).toEqual(["0.x"]);
    expect(names(list, true)).toEqual(["0.x"]);
  });

  it("bounds alias paths through shared containers", () => {
    let v: PyValue = [leaf()];
    for (let i = 0; i < 40; i++) v = [v, v];
    let err: unknown;
    try {
      for (const _ of walkTensors(v, isLeaf, { aliases: true, maxVisits: 10_000 }));
    } catch (e) {
      err = e;
    }
    expect(isCodecError(err) && err.code === "LIMIT").toBe(true);
  });

  it("prefixes paths", () => {
    expect([...walkTensors(dict([["w", leaf()]]), isLeaf, { prefix: "model" })].map(([p]) => p)).toEqual(["model.w"]);
  });

  it("writes number, bytes and tuple keys as Python str() does", () => {
    expect(keyText(new PyFloat(2))).toBe("2.0");
    expect(keyText(0.5)).toBe("0.5");
    expect(keyText(new PyTuple([1]))).toBe("(1,)");
    expect(keyText(new Uint8Array([0x61]))).toBe("b'a'");
    expect(keyText(new PyTuple(["a", 1, null, true, new Uint8Array([0x62])]))).toBe("('a', 1, None, True, b'b')");
  });

  it("writes None and bool keys as JavaScript String() does (DESIGN.md section 5)", () => {
    expect(keyText(null)).toBe("null");
    expect(keyText(true)).toBe("true");
    expect(keyText(false)).toBe("false");
  });
});
