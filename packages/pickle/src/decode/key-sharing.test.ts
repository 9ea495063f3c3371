import { describe, expect, it } from "vitest";
import { pickle } from "../encode/pickler.js";
import { PyDict, PyFloat, type PyValue } from "../model.js";
import { unpickle } from "./api.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

describe("dicts with the same str keys share their keys array", () => {
  const rows = [0, 1, 2].map((i) => PyDict.from([["id", i], ["name", `n${i}`]]));

  it("shares one frozen keys array between decoded dicts", () => {
    for (const protocol of [2, 4] as const) {
      const back = unpickle(pickle(rows, { protocol })) as PyDict[];
      expect(back.map((d) => d.values)).toEqual([[0, "n0"], [1, "n1"], [2, "n2"]]);
      expect(back[1].keys).toBe(back[0].keys);
      expect(back[2].keys).toBe(back[0].keys);
      expect(Object.isFrozen(back[0].keys)).toBe(true);
      expect(back[0].keys).toEqual(["id", "name"]);
    }
  });

  it("copies the shared keys before a dict grows, leaving the others alone", () => {
    const back = unpickle(pickle(rows, { protocol: 4 })) as PyDict[];
    back[1].set("extra", true);
    back[1].set("id", 10);
    expect(back[1].keys).toEqual(["id", "name", "extra"]);
    expect(back[1].get("id")).toBe(10);
    expect(back[0].keys).toEqual(["id", "name"]);
    expect(back[2].keys).toBe(back[0].keys);
    expect(back[0].get("extra")).toBeUndefined();
  });

  it("keeps Python's rules for repeated and non-str keys", () => {
    // pickle.dumps({'a': 1, 'b': 2}) with the SETITEMS batch edited to repeat 'a': {'a': 3, 'b': 2}
    const v = unpickle(hex("80027d71002858010000006171014b0158010000006271024b0268014b03752e")) as PyDict;
    expect(v.keys).toEqual(["a", "b"]);
    expect(v.values).toEqual([3, 2]);
    // {1: 'x', 1.0: 'y', True: 'z'} is {1: 'z'} in Python
    const n = unpickle(pickle(PyDict.from([[1, "x"]]), { protocol: 2 })) as PyDict;
    expect(n.get(1)).toBe("x");
    const mixed = [PyDict.from([[1, "x"], ["k", 0]]), PyDict.from([[1, "y"], ["k", 1]])];
    const raw = pickle(mixed, { protocol: 2 });
    const back = unpickle(raw) as PyDict[];
    expect(back[0].keys).not.toBe(back[1].keys);
    expect(back[1].get(new PyFloat(1))).toBe("y");
    expect(back[1].get(true)).toBe("y");
  });

  it("leaves unrelated dicts with their own keys", () => {
    const back = unpickle(pickle([PyDict.from([["a", 1], ["b", 2]]), PyDict.from([["a", 1], ["c", 2]])], { protocol: 4 })) as PyValue[];
    const [x, y] = back as PyDict[];
    expect(x.keys).not.toBe(y.keys);
    expect(Object.isFrozen(x.keys)).toBe(false);
  });
});
