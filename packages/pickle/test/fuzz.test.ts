import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isCodecError } from "@codec/core";
import { corpusPath, fuzzDecoder, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { canonicalRepr, decodeJoblib, pickle, type PyValue, unpickle, walkTensors } from "../src/index.js";

/**
 * DESIGN.md section 7 for the decoder, the walker, the repr and the
 * encoder: mutated real pickles (fixtures and corpus) and hand-made hostile
 * streams give a value or a CodecError, never another exception, a stack
 * overflow or a hang; shared references are never expanded.
 */
const fixtures = join(__dirname, "fixtures");
const seeds: Uint8Array[] = readdirSync(fixtures)
  .filter((n) => /\.(pkl|joblib)$/.test(n))
  .map((n) => new Uint8Array(readFileSync(join(fixtures, n))));
if (hasCorpus("pickle")) {
  const manifest = JSON.parse(readFileSync(corpusPath("pickle", "manifest.json"), "utf8")) as { files: Array<{ path: string; container: string }> };
  const picks = manifest.files.filter((f) => f.container.startsWith("pickle"));
  for (let i = 0; i < picks.length; i += 8) seeds.push(new Uint8Array(readFileSync(corpusPath("pickle", picks[i].path))));
}

/** Everything a caller may do with a decoded value. */
function exercise(v: PyValue): void {
  for (const [, t] of walkTensors(v)) void t;
  canonicalRepr(v);
  pickle(v, { protocol: 4 });
}

function full(bytes: Uint8Array): void {
  exercise(unpickle(bytes));
}

function expectCodecError(f: () => unknown, code?: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isCodecError(err), String(err)).toBe(true);
  if (code !== undefined) expect((err as { code: string }).code).toBe(code);
}

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("pickle fuzz", () => {
  it("mutated fixture and corpus pickles decode, walk, print and re-encode or fail with a CodecError", async () => {
    const report = await fuzzDecoder(seeds, full, { iterations: 25, seed: 7, maxMsPerCase: 3000 });
    const joblib = await fuzzDecoder(
      seeds.slice(0, 12),
      (b) => exercise(decodeJoblib(b).value),
      { iterations: 20, seed: 11 },
    );
    expect(report.cases).toBeGreaterThan(0);
    expect(joblib.cases).toBeGreaterThan(0);
  });

  it("rejects nesting deep enough to blow a recursive decoder with LIMIT", () => {
    expectCodecError(() => unpickle(new Uint8Array(1_000_000).fill(0x28)), "LIMIT");
    // 200k nested lists: the decoder is iterative; walk/repr/encode stop with LIMIT.
    const n = 200_000;
    const deep = new Uint8Array(2 + n + (n - 1) + 1);
    deep.set([0x80, 0x02]);
    deep.fill(0x5d, 2, 2 + n);
    deep.fill(0x61, 2 + n, 2 + n + n - 1);
    deep[deep.length - 1] = 0x2e;
    const v = unpickle(deep);
    expectCodecError(() => [...walkTensors(v)], "LIMIT");
    expectCodecError(() => canonicalRepr(v), "LIMIT");
    expectCodecError(() => pickle(v), "LIMIT");
  });

  it("keeps a memo 'billion laughs' linear", () => {
    // L0 = ['lol'] * 10; Lk = [L(k-1)] * 10, 40 levels: 10**40 leaves if expanded.
    const parts: number[] = [0x80, 0x02, 0x5d, 0x71, 0, 0x28];
    for (let i = 0; i < 10; i++) parts.push(0x8c, 3, 0x6c, 0x6f, 0x6c);
    parts.push(0x65);
    for (let k = 1; k <= 40; k++) {
      parts.push(0x5d, 0x71, k, 0x28);
      for (let i = 0; i < 10; i++) parts.push(0x68, k - 1);
      parts.push(0x65);
    }
    parts.push(0x2e);
    const t0 = performance.now();
    const v = unpickle(Uint8Array.from(parts));
    exercise(v);
    expect(canonicalRepr(v).length).toBeLessThan(20_000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("rejects absurd lengths, bad UTF-8, memo misses, underflow and unknown opcodes", () => {
    expectCodecError(() => unpickle(Uint8Array.from([0x80, 0x04, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x2e])), "LIMIT");
    expectCodecError(() => unpickle(Uint8Array.from([0x80, 0x04, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0x2e])), "TRUNCATED");
    expectCodecError(() => unpickle(Uint8Array.from([0x80, 0x04, 0x95, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x2e])), "TRUNCATED");
    expectCodecError(() => unpickle(Uint8Array.from([0x58, 0xff, 0xff, 0xff, 0x7f, 0x2e])), "TRUNCATED");
    expectCodecError(() => unpickle(Uint8Array.from([0x8c, 2, 0xc0, 0x80, 0x2e])), "CORRUPT");
    expectCodecError(() => unpickle(Uint8Array.from([0x8c, 3, 0xed, 0xa0, 0x2e])), "CORRUPT");
    expectCodecError(() => unpickle(enc("h\x09.")), "CORRUPT");
    expectCodecError(() => unpickle(enc("a.")), "CORRUPT");
    expectCodecError(() => unpickle(enc("(t0.")), "CORRUPT");
    expectCodecError(() => unpickle(enc("\xff.")), "CORRUPT");
    expectCodecError(() => unpickle(enc("\x8b\xff\xff\xff\x7f.")), "TRUNCATED");
    expectCodecError(() => unpickle(enc("I99999999999999999999999999x\n.")), "CORRUPT");
    expectCodecError(() => unpickle(enc("S'abc\n.")), "CORRUPT");
    // A classic payload decodes inertly: nothing is imported or called.
    expect(unpickle(enc("cos\nsystem\n(S'x'\ntR)b."))).toMatchObject({ callable: { module: "os", name: "system" }, args: ["x"] });
    expectCodecError(() => unpickle(new Uint8Array(0)), "TRUNCATED");
  });
});
