/**
 * `builtins.getattr` is judged at its uses. A bound method kept as data
 * (torch.optim.lr_scheduler.OneCycleLR keeps `anneal_func =
 * self._annealing_cos`, which pickles as getattr(scheduler,
 * '_annealing_cos')) is `suspicious`; every other use stays `dangerous`.
 */
import { describe, expect, it } from "vitest";
import { scanPickle } from "../../src/scan/index.js";
import { BUILD, bytesOf, EMPTY_DICT, EMPTY_LIST, EMPTY_TUPLE, GLOBAL, MARK, NEWOBJ, OBJ, PROTO, REDUCE, SETITEM, STOP, TUPLE1, TUPLE2, X } from "./assemble.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));
// class Sched: self.f = self.cos; pickle.dumps(dict(s.__dict__), protocol=p) (module 'm'), made by CPython.
const BOUND_METHOD: Record<number, string> = {
  2: "80027d71005801000000667101635f5f6275696c74696e5f5f0a676574617474720a7102636d0a53636865640a7103298171047d71056801680268045803000000636f7371068671075271087362680686710952306808732e",
  4: "8004954c000000000000007d948c0166948c086275696c74696e73948c07676574617474729493948c016d948c0553636865649493942981947d946801680468088c03636f7394869452947362680a86945230680c732e",
};

const THING = [GLOBAL("somepkg", "Thing"), EMPTY_TUPLE, NEWOBJ];
const GETATTR = GLOBAL("builtins", "getattr");
const getattrOf = (attr: string) => [GETATTR, ...THING, X(attr), TUPLE2, REDUCE];
const verdict = (...parts: Parameters<typeof bytesOf>) => scanPickle(bytesOf(PROTO(2), ...parts, STOP)).verdict;

describe("getattr in pickles", () => {
  for (const p of [2, 4]) {
    it(`a bound method stored in its owner's state (protocol ${p}) is suspicious, not dangerous`, () => {
      const r = scanPickle(hex(BOUND_METHOD[p]));
      expect(r.verdict).toBe("suspicious");
      expect(r.globals.find((g) => g.name === "getattr")?.risk).toBe("suspicious");
    });
  }

  it("a plain attribute of an object the pickle built, kept in a dict, is suspicious", () => {
    expect(verdict(EMPTY_DICT, X("f"), ...getattrOf("forward"), SETITEM)).toBe("suspicious");
  });

  it("stays dangerous for every other use", () => {
    // An attribute of a call that is itself dangerous (getattr(__import__('os'), 'system')), even unused.
    expect(verdict(GETATTR, GLOBAL("builtins", "__import__"), X("os"), TUPLE1, REDUCE, X("system"), TUPLE2, REDUCE)).toBe("dangerous");
    // An attribute of an imported class or module.
    expect(verdict(GETATTR, GLOBAL("somepkg", "Thing"), X("run"), TUPLE2, REDUCE)).toBe("dangerous");
    // Dunder and non-identifier names.
    expect(verdict(...getattrOf("__class__"))).toBe("dangerous");
    expect(verdict(...getattrOf("a.b"))).toBe("dangerous");
    // Calling the result.
    expect(verdict(...getattrOf("run"), EMPTY_TUPLE, REDUCE)).toBe("dangerous");
    // Handing the result or getattr itself to another call (map/partial run them later).
    expect(verdict(GLOBAL("builtins", "map"), ...getattrOf("run"), EMPTY_LIST, TUPLE2, REDUCE)).toBe("dangerous");
    expect(verdict(GLOBAL("builtins", "map"), GETATTR, EMPTY_LIST, TUPLE2, REDUCE)).toBe("dangerous");
    // getattr itself kept as data, in BUILD state, or as the unpickled value.
    expect(verdict(EMPTY_DICT, X("g"), GETATTR, SETITEM)).toBe("dangerous");
    expect(verdict(...THING, EMPTY_DICT, X("g"), GETATTR, SETITEM, BUILD)).toBe("dangerous");
    expect(verdict(GETATTR)).toBe("dangerous");
    // Called by OBJ instead of REDUCE, or with other than two arguments.
    expect(verdict(MARK, GETATTR, ...THING, X("run"), OBJ)).toBe("dangerous");
    expect(verdict(GETATTR, ...THING, TUPLE1, REDUCE)).toBe("dangerous");
  });
});
