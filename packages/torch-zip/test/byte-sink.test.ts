import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { saveTorch, writeTorch } from "../src/index.js";

function stateDict(): Map<string, Tensor> {
  const m = new Map<string, Tensor>();
  for (let i = 0; i < 5; i++) {
    const a = new Float32Array(1000 + i);
    for (let j = 0; j < a.length; j++) a[j] = i * 1000 + j;
    m.set(`layer${i}.weight`, new Tensor({ dtype: "float32", shape: [a.length], data: new Uint8Array(a.buffer) }));
  }
  return m;
}

describe("writeTorch with an asynchronous sink", () => {
  it("writes the same bytes, in order, one chunk at a time", async () => {
    const expected = await saveTorch(stateDict());
    const chunks: Uint8Array[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await writeTorch(stateDict(), async (c) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      chunks.push(c.slice());
      inFlight--;
    });
    expect(maxInFlight).toBe(1);
    expect(Buffer.concat(chunks).equals(Buffer.from(expected))).toBe(true);
  });

  it("rejects with the sink's failure and stops writing", async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 1));
      if (calls === 3) throw new Error("disk full");
    };
    await expect(writeTorch(stateDict(), failing)).rejects.toThrow(/disk full/);
    const after = calls;
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(after);
    expect(calls).toBeLessThan(8);
  });
});
