import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { PyDict, PyFloat, PyGlobal, PyTuple, type PyValue } from "./model.js";
import { unpickle } from "./decode/api.js";
import { keyText, walkTensors } from "./walk.js";

/** A leaf stand-in: any array whose first item is the marker string. */
const leaf = (): PyValue[] => ["T"];
const isLeaf = (v: PyValue): boolean => Array.isArray(v) && v[0] === "T";
const dict = (entries: Array<[PyValue, PyValue]>): PyDict => {
  const d = new PyDict();
  for (const [k, v] of entries) d.set(k, v);
  return d;
};
const names = (root: PyValue, aliases: boolean): string[] => [...walkTensors(root, isLeaf, { aliases })].map(([p]) => p);

describe("walkTensors", () => {
  it("lists a shared tensor once by default and under every key with aliases (tied weights)", () => {
    const w = leaf();
    const sd = dict([
      ["embed.weight", w],
      ["head.weight", w],
    ]);
    expect(names(sd, false)).toEqual(["embed.weight"]);
    expect(names(sd, true)).toEqual(["embed.weight", "head.weight"]);
  });

  it("re-enters a shared container under each path with aliases", () => {
    const block = dict([["w", leaf()]]);
    const root = dict([
      ["a", block],
      ["b", block],
    ]);
    expect(names(root, false)).toEqual(["a.w"]);
    expect(names(root, true)).toEqual(["a.w", "b.w"]);
  });

  it("ends cycles in both modes", () => {
    const d = dict([["x", leaf()]]);
    const list: PyValue[] = [d];
    d.set("self", list);
    expect(names(list, false)).toEqual(["0.x"]);
    expect(names(list, true)).toEqual(["0.x"]);
  });

  it("bounds alias paths through shared containers", () => {
    let v: PyValue = [leaf()];
    for (let i = 0; i < 40; i++) v = [v, v];
    let err: unknown;
    try {
      for (const _ of walkTensors(v, isLeaf, { aliases: true, maxVisits: 10_000 }));
    } catch (e) {
      err = e;
    }
    expect(isCodecError(err) && err.code === "LIMIT").toBe(true);
  });

  it("prefixes paths", () => {
    expect([...walkTensors(dict([["w", leaf()]]), isLeaf, { prefix: "model" })].map(([p]) => p)).toEqual(["model.w"]);
  });

  it("writes number, bytes and tuple keys as Python str() does", () => {
    expect(keyText(new PyFloat(2))).toBe("2.0");
    expect(keyText(0.5)).toBe("0.5");
    expect(keyText(new PyTuple([1]))).toBe("(1,)");
    expect(keyText(new Uint8Array([0x61]))).toBe("b'a'");
    expect(keyText(new PyTuple(["a", 1, null, true, new Uint8Array([0x62])]))).toBe("('a', 1, None, True, b'b')");
  });

  it("writes None and bool keys as JavaScript String() does (DESIGN.md section 5)", () => {
    expect(keyText(null)).toBe("null");
    expect(keyText(true)).toBe("true");
    expect(keyText(false)).toBe("false");
  });
});

describe("keyText of numpy scalar keys (Python's str() of them)", () => {
  it("prints numpy scalars as numpy 1.24 does", () => {
    // pickle.dumps([np.int64(3), np.uint8(200), np.float64(1.5), np.float32(0.1), np.float16(0.1), np.float32(1e20), np.bool_(True),
    //   np.str_('abc'), np.bytes_(b'k'), np.complex128(1+2j), (np.int32(1), np.str_('x')), np.float64(-0.0), np.float32(3.4028235e38)], protocol=4)
    const keys = unpickle(Uint8Array.from(Buffer.from("80049588020000000000005d94288c156e756d70792e636f72652e6d756c74696172726179948c067363616c61729493948c056e756d7079948c0564747970659493948c02693894898887945294284b038c013c944e4e4e4affffffff4affffffff4b00749462430803000000000000009486945294680368068c02753194898887945294284b038c017c944e4e4e4affffffff4affffffff4b007494624301c89486945294680368068c02663894898887945294284b03680a4e4e4e4affffffff4affffffff4b007494624308000000000000f83f9486945294680368068c02663494898887945294284b03680a4e4e4e4affffffff4affffffff4b007494624304cdcccc3d9486945294680368068c02663294898887945294284b03680a4e4e4e4affffffff4affffffff4b007494624302662e9486945294680368204304ec78ad609486945294680368068c02623194898887945294284b0368124e4e4e4affffffff4affffffff4b007494624301019486945294680368068c02553394898887945294284b03680a4e4e4e4b0c4b044b08749462430c6100000062000000630000009486945294680368068c02533194898887945294284b0368124e4e4e4b014b014b0074946243016b9486945294680368068c0363313694898887945294284b03680a4e4e4e4affffffff4affffffff4b007494624310000000000000f03f00000000000000409486945294680368068c02693494898887945294284b03680a4e4e4e4affffffff4affffffff4b007494624304010000009486945294680368068c02553194898887945294284b03680a4e4e4e4b044b044b087494624304780000009486945294869468036819430800000000000000809486945294680368204304ffff7f7f9486945294652e", "hex"))) as PyValue[];
    expect(keys.map((k) => keyText(k))).toEqual(["3", "200", "1.5", "0.1", "0.1", "1e+20", "True", "abc", "b'k'", "(1+2j)", "(1, 'x')", "-0.0", "3.4028235e+38"]);
  });

  it("prints complex numbers and classes as Python's str() does", () => {
    // pickle.dumps([1+2j, collections.OrderedDict, (1.5-0j)], protocol=2); Python's str() of the last is '(1.5+0j)'
    const keys = unpickle(Uint8Array.from(Buffer.from("80025d710028635f5f6275696c74696e5f5f0a636f6d706c65780a7101473ff000000000000047400000000000000086710252710363636f6c6c656374696f6e730a4f726465726564446963740a71046801473ff8000000000000470000000000000000867105527106652e", "hex"))) as PyValue[];
    expect(keys.map((k) => keyText(k))).toEqual(["(1+2j)", "<class 'collections.OrderedDict'>", "(1.5+0j)"]);
    expect(keyText(new PyGlobal("torch", "float16"))).toBe("torch.float16");
  });
});
