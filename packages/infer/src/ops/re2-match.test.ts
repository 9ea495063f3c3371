import { describe, expect, it } from "vitest";
import { Re2FullMatcher } from "./re2-match.js";
import { codecError } from "./test-support.js";

const full = (pattern: string, s: string): boolean => new Re2FullMatcher(pattern).test(s);

describe("Re2FullMatcher", () => {
  it("agrees with an anchored JavaScript RegExp where the two syntaxes coincide", () => {
    const patterns = ["a*b", "(ab|a)(bc|c)", "x{2,3}y?", "[a-c\\d_]+", "[^abc]*", "(a|b)*abb", "colou?r", "\\w+@\\w+\\.com", "a.c", "(?:ab){0,2}", "[.\\-]+", "\\bfoo\\b.*", "", "a||b"];
    const inputs = ["", "b", "aab", "abc", "abbc", "xxy", "xxxy", "xxxxy", "a_1", "dd", "babb", "abb", "color", "colour", "me@x.com", "a\nc", "abab", "ababab", ".-", "foo bar", "foobar", "a"];
    for (const p of patterns) {
      const js = new RegExp(`^(?:${p})$`);
      for (const s of inputs) expect(full(p, s), `${p} on ${JSON.stringify(s)}`).toBe(js.test(s));
    }
  });

  it("handles flags, classes, escapes and assertions as RE2 does", () => {
    expect(full("(?i)abc", "AbC")).toBe(true);
    expect(full("(?i:a)b", "Ab")).toBe(true);
    expect(full("(?i:a)b", "AB")).toBe(false);
    expect(full("a.b", "a\nb")).toBe(false);
    expect(full("(?s)a.b", "a\nb")).toBe(true);
    expect(full("(?m)a$\\n^b", "a\nb")).toBe(true);
    expect(full("[[:digit:]]+[[:^alpha:]]", "12-")).toBe(true);
    expect(full("\\pL+\\p{Nd}", "héllo5")).toBe(true);
    expect(full("\\PL", "5")).toBe(true);
    expect(full("\\p{Greek}+", "αβ")).toBe(true);
    expect(full("\\p{Any}\\P{Any}?", "x")).toBe(true);
    expect(full("\\x41\\x{1F600}", "A😀")).toBe(true);
    expect(full("\\Q.*\\E", ".*")).toBe(true);
    expect(full("\\Q.*\\E", "ab")).toBe(false);
    expect(full("(?P<year>\\d{4})-(?<m>\\d\\d)", "2024-05")).toBe(true);
    expect(full("a{", "a{")).toBe(true);
    // RE2's \s has no \v; \w is ASCII.
    expect(full("\\s", "\v")).toBe(false);
    expect(full("\\w", "é")).toBe(false);
    expect(full("..", "😀a")).toBe(true);
  });

  it("takes linear time on patterns that make backtracking engines explode", () => {
    const start = Date.now();
    expect(full("(a+)+$", `${"a".repeat(5000)}b`)).toBe(false);
    expect(full("(x+x+)+y", "x".repeat(5000))).toBe(false);
    expect(full("(a|aa)*c", "a".repeat(5000))).toBe(false);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it("rejects what RE2 rejects, and bounds the program size", () => {
    for (const p of ["(", ")", "[a", "a**", "*a", "\\1", "(?=a)", "(?<!a)b", "a{2,1}", "a{1001}", "\\", "\\q", "[z-a]", "[[:nope:]]"]) {
      expect(codecError(() => new Re2FullMatcher(p)), p).toBe("CORRUPT");
    }
    expect(codecError(() => new Re2FullMatcher("\\p{NoSuchClass}"))).toBe("UNSUPPORTED");
    expect(codecError(() => new Re2FullMatcher("((a{1000}){1000}){1000}"))).toBe("LIMIT");
  });
});
