import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.js";
import { UsageError } from "./cli-io.js";

describe("parseArgs", () => {
  const spec = { flags: ["--json", "--digest"], options: ["--out"], aliases: { "-j": "--json" } };

  it("separates flags, options and positionals in any order", () => {
    const a = parseArgs(["a", "--json", "--out", "d", "b", "--out=e", "-j"], spec, "t");
    expect([...a.flags]).toEqual(["--json"]);
    expect(a.options.get("--out")).toBe("e");
    expect(a.positionals).toEqual(["a", "b"]);
  });

  it("treats everything after -- and a lone - as positionals", () => {
    expect(parseArgs(["--", "--json", "-x"], spec, "t").positionals).toEqual(["--json", "-x"]);
    expect(parseArgs(["-"], spec, "t").positionals).toEqual(["-"]);
  });

  it.each([
    [["--nope"], /t: unknown option '--nope'/],
    [["-x"], /unknown option '-x'/],
    [["--out"], /needs a value/],
    [["--json=yes"], /takes no value/],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseArgs(argv, spec, "t")).toThrow(UsageError);
    expect(() => parseArgs(argv, spec, "t")).toThrow(message);
  });
});
