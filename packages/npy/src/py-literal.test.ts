import { describe, expect, it } from "vitest";
import { parsePyLiteral } from "./py-literal.js";

describe("parsePyLiteral", () => {
  it("parses numpy's header dict", () => {
    const v = parsePyLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }          \n");
    expect(v).toEqual({
      kind: "dict",
      entries: [
        [{ kind: "str", value: "descr" }, { kind: "str", value: "<f4" }],
        [{ kind: "str", value: "fortran_order" }, { kind: "bool", value: false }],
        [{ kind: "str", value: "shape" }, { kind: "tuple", items: [{ kind: "int", value: 2n }, { kind: "int", value: 3n }] }],
      ],
    });
  });

  it("distinguishes (), (x,) and (x)", () => {
    expect(parsePyLiteral("()")).toEqual({ kind: "tuple", items: [] });
    expect(parsePyLiteral("(5,)")).toEqual({ kind: "tuple", items: [{ kind: "int", value: 5n }] });
    expect(parsePyLiteral("(5)")).toEqual({ kind: "int", value: 5n });
  });

  it("parses lists, None, True, double quotes and escapes", () => {
    expect(parsePyLiteral(`[None, True, "a\\"b", 'c\\x41\\u00e9\\n']`)).toEqual({
      kind: "list",
      items: [{ kind: "none" }, { kind: "bool", value: true }, { kind: "str", value: 'a"b' }, { kind: "str", value: "cAé\n" }],
    });
  });

  it("reads Python 2 u'...' strings (np.load's literal_eval does) but no other prefixes or names", () => {
    expect(parsePyLiteral("{u'descr': u'<f4', 'x': U\"\u00e9\"}")).toEqual({
      kind: "dict",
      entries: [
        [{ kind: "str", value: "descr" }, { kind: "str", value: "<f4" }],
        [{ kind: "str", value: "x" }, { kind: "str", value: "\u00e9" }],
      ],
    });
    expect(() => parsePyLiteral("b'<f4'")).toThrow(/not a literal/);
    expect(() => parsePyLiteral("u")).toThrow(/not a literal/);
    expect(() => parsePyLiteral("uu'x'")).toThrow(/not a literal/);
  });

  it("accepts Python 2 long suffixes only when asked", () => {
    expect(parsePyLiteral("(3L, 4L)", { allowLongSuffix: true })).toEqual({
      kind: "tuple",
      items: [{ kind: "int", value: 3n }, { kind: "int", value: 4n }],
    });
    expect(() => parsePyLiteral("(3L,)")).toThrow(/invalid number/);
  });

  it("keeps integers beyond 2^53 exact", () => {
    expect(parsePyLiteral("123456789012345678901234567890")).toEqual({ kind: "int", value: 123456789012345678901234567890n });
    expect(parsePyLiteral("-7")).toEqual({ kind: "int", value: -7n });
  });

  it.each([
    ["__import__('os')", /not a literal/],
    ["{'a': 1", /expected ',' or '}'/], ["{'a': ", /end of header/],
    ["'abc", /unterminated/],
    ["{'a' 1}", /expected ':'/],
    ["(1 2)", /expected ','/],
    ["1.5", /invalid number/],
    ["007", /invalid integer/],
    ["{} x", /after the literal/],
    ["'''x'''", /triple-quoted/],
    ["'\\x4'", /bad escape/],
  ])("rejects %s as CORRUPT", (text, message) => {
    expect(() => parsePyLiteral(text)).toThrow(expect.objectContaining({ code: "CORRUPT", message: expect.stringMatching(message) }));
  });

  it("limits nesting depth with LIMIT, not a stack overflow", () => {
    expect(() => parsePyLiteral("(".repeat(100000))).toThrow(expect.objectContaining({ code: "LIMIT" }));
    expect(() => parsePyLiteral("[[1]]", { maxDepth: 1 })).toThrow(expect.objectContaining({ code: "LIMIT" }));
  });

  it("reports offsets relative to the base", () => {
    expect(() => parsePyLiteral("{'a': x}", { baseOffset: 10 })).toThrow(/at offset 0x10/);
  });
});
