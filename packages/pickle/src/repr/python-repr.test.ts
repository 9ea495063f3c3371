import { describe, expect, it } from "vitest";
import { pyBytesRepr, pyComplexRepr, pyFloatRepr, pyStrRepr } from "./python-repr.js";

describe("Python reprs", () => {
  it("formats floats like repr(float)", () => {
    const cases: Array<[number, string]> = [
      [0, "0.0"],
      [-0, "-0.0"],
      [1.5, "1.5"],
      [2, "2.0"],
      [1e16, "1e+16"],
      [123456789012345.6, "123456789012345.6"],
      [1e-5, "1e-05"],
      [0.0001, "0.0001"],
      [1.5e-300, "1.5e-300"],
      [Math.PI, "3.141592653589793"],
      [Number.NaN, "nan"],
      [Number.NEGATIVE_INFINITY, "-inf"],
    ];
    for (const [v, s] of cases) expect(pyFloatRepr(v)).toBe(s);
    expect(pyComplexRepr(3, 0)).toBe("(3+0j)");
    expect(pyComplexRepr(1, -2)).toBe("(1-2j)");
    expect(pyComplexRepr(0, 2)).toBe("2j");
  });

  it("quotes and escapes str and bytes like Python", () => {
    expect(pyStrRepr("it's")).toBe(`"it's"`);
    expect(pyStrRepr(`'"`)).toBe(`'\\'"'`);
    expect(pyStrRepr("\x00\x7f\x80\xff\n")).toBe("'\\x00\\x7f\\x80ÿ\\n'");
    expect(pyStrRepr("x\udc80y π 😀")).toBe("'x\\udc80y π 😀'");
    expect(pyBytesRepr(new Uint8Array([0x61, 0x27, 0, 0xff]))).toBe(`b"a'\\x00\\xff"`);
  });
});
