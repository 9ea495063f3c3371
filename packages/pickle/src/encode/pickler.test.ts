import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { unpickle } from "../decode/api.js";
import { PyByteArray, PyDict, PyFloat, PyGlobal, PyObject, PyPersistent, PySet, PyTuple, type PyValue } from "../model.js";
import { NdArray } from "../numpy/ndarray.js";
import { pickle } from "./pickler.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("pickle (encode)", () => {
  it("writes CPython's exact bytes for simple values", () => {
    // pickle.dumps({'a': [1, 2.5, None, True]}, protocol=2)
    const d = PyDict.from([["a", [1, 2.5, null, true]]]);
    expect(hex(pickle(d, { protocol: 2 }))).toBe("80027d710058010000006171015d7102284b014740040000000000004e8865732e");
    // pickle.dumps((1, 'x'), protocol=4)
    expect(hex(pickle(new PyTuple([1, "x"]), { protocol: 4 }))).toBe("80049509000000000000004b018c01789486942e");
    // pickle.dumps(2**70, protocol=3), pickle.dumps(-1, protocol=2), pickle.dumps(2.0, protocol=2)
    expect(hex(pickle(2n ** 70n, { protocol: 3 }))).toBe("80038a090000000000000000402e");
    expect(hex(pickle(-1, { protocol: 2 }))).toBe("80024affffffff2e");
    expect(hex(pickle(new PyFloat(2), { protocol: 2 }))).toBe("80024740000000000000002e");
  });

  it("round-trips the object model through the decoder", () => {
    const shared = [1, 2];
    const rec: PyValue[] = ["r"];
    rec.push(rec);
    const value = PyDict.from([
      ["shared", [shared, shared]],
      ["rec", rec],
      ["set", new PySet([1, 2], false)],
      ["fs", new PySet(["a"], true)],
      ["bytes", new Uint8Array([0, 255])],
      ["ba", new PyByteArray(new Uint8Array([1, 2]))],
      ["big", -(2n ** 100n)],
      ["str", "héllo ☃ 😀 \udc80"],
      [new PyTuple([1, "k"]), null],
      ["obj", new PyObject(new PyGlobal("m", "C"), [1], "reduce")],
      ["pid", new PyPersistent("p0")],
    ]);
    for (const protocol of [2, 3, 4, 5] as const) {
      const back = unpickle(pickle(value, { protocol }), { persistentLoad: (pid) => `loaded:${String(pid)}` }) as PyDict;
      const s = back.get("shared") as PyValue[][];
      expect(s[0]).toBe(s[1]);
      const r = back.get("rec") as PyValue[];
      expect(r[1]).toBe(r);
      expect((back.get("set") as PySet).items).toEqual([1, 2]);
      expect((back.get("fs") as PySet).frozen).toBe(true);
      expect(back.get("bytes")).toEqual(new Uint8Array([0, 255]));
      expect((back.get("ba") as PyByteArray).data).toEqual(new Uint8Array([1, 2]));
      expect(back.get("big")).toBe(-(2n ** 100n));
      expect(back.get("str")).toBe("héllo ☃ 😀 \udc80");
      expect(back.has(new PyTuple([1, "k"]))).toBe(true);
      expect((back.get("obj") as PyObject).args).toEqual([1]);
      expect(back.get("pid")).toBe("loaded:p0");
    }
  });

  it("writes an object reached from its own constructor arguments as CPython does (a bound method in its owner's state)", () => {
    // class Sched: f = self.cos (lr_scheduler.OneCycleLR keeps anneal_func so); pickle.dumps(dict(s.__dict__), protocol=p).
    // The getattr(s, 'cos') call is reached again through s's BUILD state while its own arguments are written.
    const python: Record<number, string> = {
      2: "80027d71005801000000667101635f5f6275696c74696e5f5f0a676574617474720a7102636d0a53636865640a7103298171047d71056801680268045803000000636f7371068671075271087362680686710952306808732e",
      4: "8004954c000000000000007d948c0166948c086275696c74696e73948c07676574617474729493948c016d948c0553636865649493942981947d946801680468088c03636f7394869452947362680a86945230680c732e",
    };
    for (const protocol of [2, 4] as const) {
      const decoded = unpickle(Uint8Array.from(Buffer.from(python[protocol], "hex"))) as PyDict;
      const bound = decoded.get("f") as PyObject;
      const owner = bound.args[0] as PyObject;
      expect((owner.state as PyDict).get("f")).toBe(bound);
      const bytes = pickle(decoded, { protocol });
      expect(hex(bytes)).toBe(python[protocol]);
      const again = unpickle(bytes) as PyDict;
      const b2 = again.get("f") as PyObject;
      expect(((b2.args[0] as PyObject).state as PyDict).get("f")).toBe(b2);
    }
  });

  it("frames protocol 4 output in 64 KiB frames and writes big payloads unframed", () => {
    const items = Array.from({ length: 30000 }, (_, i) => `s${i}`);
    const big = new Uint8Array(200000).fill(7);
    const out = pickle([items, big], { protocol: 4 });
    expect(out[2]).toBe(0x95);
    const back = unpickle(out) as PyValue[];
    expect(back[0]).toEqual(items);
    expect(back[1]).toEqual(big);
  });

  it("writes Tensors as numpy arrays and uses persistentId and out-of-band buffers", () => {
    const t = new Tensor({ dtype: "float32", shape: [2], data: new Uint8Array(new Float32Array([1, 2]).buffer) });
    for (const protocol of [2, 4, 5] as const) {
      const a = unpickle(pickle(PyDict.from([["w", NdArray.fromTensor(t)]]), { protocol })) as PyDict;
      const arr = a.get("w") as NdArray;
      expect(arr).toBeInstanceOf(NdArray);
      expect(Array.from(arr.tensor().toFloat32())).toEqual([1, 2]);
    }
    const taken: Uint8Array[] = [];
    const out = pickle(t, { protocol: 5, buffers: (d) => taken.push(d) > 0 });
    expect(taken).toHaveLength(1);
    const back = unpickle(out, { buffers: taken }) as NdArray;
    expect(Array.from(back.tensor().toFloat32())).toEqual([1, 2]);
    const withPid = pickle(["a", "b"], { protocol: 2, persistentId: (v) => (v === "b" ? "ID" : undefined) });
    expect(unpickle(withPid)).toEqual(["a", new PyPersistent("ID")]);
  });

  it("memoizes repeated strings (short ones through the slot cache, long ones by value)", () => {
    const long = "x".repeat(200);
    const out = pickle(["key", "key", long, long], { protocol: 4 });
    const text = Buffer.from(out).toString("latin1");
    expect(text.split("key").length - 1).toBe(1);
    expect(text.split(long).length - 1).toBe(1);
    // Many distinct strings sharing slots with repeated keys: slot misses rewrite the string, values stay equal.
    const rows = Array.from({ length: 20000 }, (_, i) => PyDict.from([["id", i], ["name", `user${i}`], ["", "é"], [`k${i % 7}`, "id"]]));
    for (const protocol of [2, 4] as const) {
      const back = unpickle(pickle(rows, { protocol })) as PyDict[];
      expect(back).toHaveLength(rows.length);
      for (let i = 0; i < rows.length; i += 997) {
        expect(back[i].keys).toEqual(rows[i].keys);
        expect(back[i].values).toEqual(rows[i].values);
      }
    }
  });

  it("rejects values nested beyond maxDepth with LIMIT", () => {
    let v: PyValue = [];
    for (let i = 0; i < 100; i++) v = [v];
    expect(() => pickle(v, { maxDepth: 50 })).toThrow(/deeper/);
  });
});

describe("numpy array subclasses (encode)", () => {
  it("protocol 5 keeps _reconstruct(cls, ...) for a subclass such as numpy.matrix, as array_reduce_ex does", () => {
    const m = new NdArray(new PyGlobal("numpy", "matrix"));
    m.init([1, 2], NdArray.fromTensor(new Tensor({ dtype: "int64", shape: [1, 2], data: new Uint8Array(16) })).dtype, false, new Uint8Array(16));
    const text = new TextDecoder("latin1").decode(pickle(m, { protocol: 5 }));
    expect(text).toContain("_reconstruct");
    expect(text).toContain("matrix");
    expect(text).not.toContain("_frombuffer");
    const back = unpickle(pickle(m, { protocol: 5 }));
    expect(back).toBeInstanceOf(NdArray);
    expect(((back as NdArray).cls as PyGlobal).name).toBe("matrix");
    // An exact ndarray still takes the protocol 5 buffer form.
    const plain = NdArray.fromTensor(new Tensor({ dtype: "int64", shape: [1, 2], data: new Uint8Array(16) }));
    expect(new TextDecoder("latin1").decode(pickle(plain, { protocol: 5 }))).toContain("_frombuffer");
  });
});
