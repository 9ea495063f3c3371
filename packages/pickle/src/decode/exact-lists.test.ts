import { describe, expect, it } from "vitest";
import type { PyValue } from "../model.js";
import { unpickle } from "./api.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

// APPENDS onto a fresh empty list swaps in an exact-size array; identity must survive.
describe("lists filled by APPENDS", () => {
  it("keeps a recursive list pointing at itself", () => {
    // l = []; l.append(l); l += [1, 2]; pickle.dumps(l, 2)
    const v = unpickle(hex("80025d71002868004b014b02652e")) as PyValue[];
    expect(v.length).toBe(3);
    expect(v[0]).toBe(v);
    expect(v.slice(1)).toEqual([1, 2]);
  });

  it("keeps a shared list shared", () => {
    // a = [1, 2]; pickle.dumps([a, a, [3, [4, 5]]], 2)
    const v = unpickle(hex("80025d7100285d7101284b014b026568015d7102284b035d7103284b044b056565652e")) as PyValue[];
    expect(v[0]).toBe(v[1]);
    expect(v[0]).toEqual([1, 2]);
    expect(v[2]).toEqual([3, [4, 5]]);
  });

  it("gives observers the same list objects as the stream", () => {
    const seen: PyValue[] = [];
    const v = unpickle(hex("80025d7100285d7101284b014b026568015d7102284b035d7103284b044b056565652e"), {
      hooks: { onMemo: (_i, value) => void seen.push(value) },
    }) as PyValue[];
    expect(seen[1]).toBe(v[0]);
    expect(seen[0]).toBe(v);
  });
});
