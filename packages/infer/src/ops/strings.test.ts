import { describe, expect, it } from "vitest";
import { type RTensor, tensor } from "../tensor.js";
import { codecError, f32, runOp, values } from "./test-support.js";

const s = (shape: number[], v: string[]): RTensor => tensor("string", shape, v);

describe("StringNormalizer", () => {
  it("drops stopwords case-insensitively by default, then changes case", () => {
    const [y] = runOp("StringNormalizer", [s([1, 3], ["Mon", "tue", "MON"])], { stopwords: ["mon"], case_change_action: "UPPER" });
    expect(y.shape).toEqual([1, 1]);
    expect(y.data).toEqual(["TUE"]);
  });

  it("compares exactly when case sensitive, and keeps one empty string when all go", () => {
    const [a] = runOp("StringNormalizer", [s([2], ["Mon", "mon"])], { stopwords: ["mon"], is_case_sensitive: 1 });
    expect(a.data).toEqual(["Mon"]);
    const [b] = runOp("StringNormalizer", [s([2], ["mon", "mon"])], { stopwords: ["mon"], is_case_sensitive: 1 });
    expect(b.shape).toEqual([1]);
    expect(b.data).toEqual([""]);
  });

  it("rejects other ranks, numbers and unknown actions", () => {
    expect(codecError(() => runOp("StringNormalizer", [s([2, 1], ["a", "b"])]))).toBe("CORRUPT");
    expect(codecError(() => runOp("StringNormalizer", [f32([1], [1])]))).toBe("CORRUPT");
    expect(codecError(() => runOp("StringNormalizer", [s([1], ["a"])], { case_change_action: "TITLE" }))).toBe("CORRUPT");
  });
});

describe("StringConcat", () => {
  it("broadcasts", () => {
    const [y] = runOp("StringConcat", [s([2, 1], ["a", "b"]), s([3], ["x", "y", "z"])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.data).toEqual(["ax", "ay", "az", "bx", "by", "bz"]);
  });

  it("rejects shapes that do not broadcast and numeric inputs", () => {
    expect(codecError(() => runOp("StringConcat", [s([2], ["a", "b"]), s([3], ["x", "y", "z"])]))).toBe("CORRUPT");
    expect(codecError(() => runOp("StringConcat", [s([1], ["a"]), f32([1], [2])]))).toBe("CORRUPT");
  });
});

describe("StringSplit", () => {
  it("splits on a delimiter like Python str.split, padding to the longest", () => {
    const [y, n] = runOp("StringSplit", [s([2], ["a,,b", "c"])], { delimiter: "," }, 20, 2);
    expect(y.shape).toEqual([2, 3]);
    expect(y.data).toEqual(["a", "", "b", "c", "", ""]);
    expect(n.dtype).toBe("int64");
    expect(values(n)).toEqual([3, 1]);
  });

  it("splits on whitespace runs without a delimiter, and honours maxsplit", () => {
    const [y, n] = runOp("StringSplit", [s([2], ["  a \t b  c ", ""])], { maxsplit: 1 }, 20, 2);
    expect(y.data).toEqual(["a", "b  c", "", ""]);
    expect(values(n)).toEqual([2, 0]);
  });

  it("rejects a negative maxsplit", () => {
    expect(codecError(() => runOp("StringSplit", [s([1], ["a b"])], { maxsplit: -1 }, 20, 2))).toBe("CORRUPT");
  });
});

describe("RegexFullMatch", () => {
  it("matches the whole string only", () => {
    const [y] = runOp("RegexFullMatch", [s([3], ["abc", "xabc", "ab"])], { pattern: "a\\w+" });
    expect(y.dtype).toBe("bool");
    expect(values(y)).toEqual([1, 0, 1]);
  });

  it("accepts RE2 named groups and rejects patterns that do not compile", () => {
    const [y] = runOp("RegexFullMatch", [s([1], ["42"])], { pattern: "(?P<n>\\d+)" });
    expect(values(y)).toEqual([1]);
    expect(codecError(() => runOp("RegexFullMatch", [s([1], ["a"])], { pattern: "(" }))).toBe("CORRUPT");
    expect(codecError(() => runOp("RegexFullMatch", [s([1], ["a"])], { pattern: "(?=a)" }))).toBe("CORRUPT");
    expect(codecError(() => runOp("RegexFullMatch", [s([1], ["a"])]))).toBe("CORRUPT");
  });
});
