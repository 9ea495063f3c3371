import { describe, expect, it } from "vitest";
import { readOp } from "./op-reader.js";

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const arg = (s: string) => readOp(bytes(s), 0).arg;
const rejects = (s: string, code: string): void => {
  expect(() => readOp(bytes(s), 0)).toThrow(expect.objectContaining({ code }));
};

/** Protocol-0 text arguments go through the decoder's parsers (decode/text-args.ts), so scanner and decoder agree. */
describe("readOp text arguments", () => {
  it("parses INT/LONG as load_int/load_long do", () => {
    expect(arg("I00\n")).toBe(false);
    expect(arg("I01\n")).toBe(true);
    expect(arg("I-12\n")).toBe(-12);
    expect(arg("I0x10\n")).toBe(16);
    expect(arg("L123456789012345678901234567890L\n")).toBe(123456789012345678901234567890n);
    rejects("Iabc\n", "CORRUPT");
    // CPython's int_max_str_digits (4300).
    rejects(`L${"9".repeat(4301)}\n`, "CORRUPT");
    expect(typeof arg(`L${"9".repeat(4300)}\n`)).toBe("bigint");
  });

  it("parses FLOAT as float() does", () => {
    expect(arg("F2.0\n")).toEqual({ kind: "float", value: 2 });
    expect(arg("F-inf\n")).toEqual({ kind: "float", value: -Infinity });
    expect(arg("F1_0.5\n")).toEqual({ kind: "float", value: 10.5 });
    rejects("Fx\n", "CORRUPT");
  });

  it("decodes STRING escapes and UNICODE raw-unicode-escape", () => {
    expect(arg("S'a\\x41\\n'\n")).toEqual({ kind: "pystr", bytes: bytes("aA\n") });
    rejects("S'a\\xZZ'\n", "CORRUPT");
    expect(arg("Va\\u00e9\\\\u0041\n")).toBe("a\u00e9\\\\u0041");
    rejects("V\\u12\n", "CORRUPT");
  });
});
