import { describe, expect, it } from "vitest";
import { PREDEFINED_LL, PREDEFINED_ML, PREDEFINED_OF, buildFseTable, readFseDistribution } from "./zstd-fse.js";
import { codeOf } from "@codec/testing";


describe("zstd FSE tables (RFC 8878 section 4.1)", () => {
  it("predefined tables have the sizes and symbol ranges of section 3.1.1.3.2.2", () => {
    expect(PREDEFINED_LL.symbol.length).toBe(64);
    expect(PREDEFINED_ML.symbol.length).toBe(64);
    expect(PREDEFINED_OF.symbol.length).toBe(32);
    expect(Math.max(...PREDEFINED_LL.symbol)).toBe(35);
    expect(Math.max(...PREDEFINED_ML.symbol)).toBe(52);
    expect(Math.max(...PREDEFINED_OF.symbol)).toBe(28);
    // The RFC's table for literal lengths starts: state 0 -> symbol 0, 4 bits, baseline 0; state 1 -> symbol 0, 4 bits, baseline 16.
    expect([PREDEFINED_LL.symbol[0], PREDEFINED_LL.nbBits[0], PREDEFINED_LL.baseline[0]]).toEqual([0, 4, 0]);
    expect([PREDEFINED_LL.symbol[1], PREDEFINED_LL.nbBits[1], PREDEFINED_LL.baseline[1]]).toEqual([0, 4, 16]);
    expect([PREDEFINED_LL.symbol[2], PREDEFINED_LL.nbBits[2], PREDEFINED_LL.baseline[2]]).toEqual([1, 5, 32]);
  });

  it("every state's next-state range stays inside the table", () => {
    for (const t of [PREDEFINED_LL, PREDEFINED_ML, PREDEFINED_OF]) {
      const size = 1 << t.accuracyLog;
      for (let s = 0; s < size; s++) expect(t.baseline[s] + (1 << t.nbBits[s])).toBeLessThanOrEqual(size);
    }
  });

  it("spreads each symbol over as many states as its probability", () => {
    const norm = Int16Array.from([10, -1, 0, 15, 6]);
    const t = buildFseTable(norm, norm.length, 5, "zstd");
    const counts = new Array(5).fill(0);
    for (const s of t.symbol) counts[s]++;
    expect(counts).toEqual([10, 1, 0, 15, 6]);
    // The "less than 1" symbol takes the last state and reads a full state.
    expect([t.symbol[31], t.nbBits[31], t.baseline[31]]).toEqual([1, 5, 0]);
  });

  it("reads a description and rejects bad ones", () => {
    // Accuracy log 5 (low nibble 0). First value: 0..33 in 6 bits, with the
    // 30 smallest in 5; 62 (low 5 bits 30, not short) means 62 - 30 = 32,
    // probability 31. That leaves 2: values 0..2 in 2 bits, 1 short; 3 means
    // 3 - 1 = 2, probability 1; the sum is 32. Bits from the LSB:
    // 0000 | 011111 (62) | 11 (3) -> 0x0fe0.
    const d = readFseDistribution(Uint8Array.of(0xe0, 0x0f), 0, 2, 35, 9, "zstd");
    expect(d.accuracyLog).toBe(5);
    expect(Array.from(d.norm.subarray(0, d.symbols))).toEqual([31, 1]);
    expect(d.bytes).toBe(2);
    // Accuracy log 5 + 15 = 20 exceeds the maximum.
    expect(codeOf(() => readFseDistribution(Uint8Array.of(0x0f, 0, 0), 0, 3, 35, 9, "zstd"))).toBe("CORRUPT");
    expect(codeOf(() => readFseDistribution(new Uint8Array(0), 0, 0, 35, 9, "zstd"))).toBe("TRUNCATED");
    // Probabilities that never fill the table run out of symbols or bytes.
    expect(["CORRUPT", "TRUNCATED"]).toContain(codeOf(() => readFseDistribution(Uint8Array.of(0x20, 0x00), 0, 2, 3, 9, "zstd")));
  });
});
