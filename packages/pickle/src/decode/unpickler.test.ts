import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { PyDict, type PyGlobal, PyObject, PyPersistent, type PyTuple, type PyValue } from "../model.js";
import { type PyDateTime, PyOrderedDict } from "../values.js";
import { unpickle, unpickleAll, unpickleAt } from "./api.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

// pickle.dumps({'a': [1, 2.5, None, True, 'é'], 'b': (b'xy', 2**70)}, protocol=2)
const DICT_P2 =
  "80027d71002858010000006171015d7102284b014740040000000000004e885802000000c3a97103655801000000627104635f636f646563730a656e636f64650a710558020000007879710658060000006c6174696e3171078671085271098a0900000000000000004086710a752e";

function expectCodecError(f: () => unknown, code?: string): void {
  try {
    f();
  } catch (e) {
    expect(isCodecError(e)).toBe(true);
    if (code !== undefined) expect((e as { code: string }).code).toBe(code);
    return;
  }
  throw new Error("expected a CodecError");
}

describe("unpickle", () => {
  it("decodes builtins with protocol 2 bytes trick and LONG1", () => {
    const v = unpickle(hex(DICT_P2)) as PyDict;
    expect(v).toBeInstanceOf(PyDict);
    expect(v.get("a")).toEqual([1, 2.5, null, true, "é"]);
    const b = v.get("b") as PyTuple;
    expect(b.items[0]).toEqual(new Uint8Array([0x78, 0x79]));
    expect(b.items[1]).toBe(2n ** 70n);
  });

  it("keeps everything inert with reconstruct: false", () => {
    const v = unpickle(hex(DICT_P2), { reconstruct: false }) as PyDict;
    const bytesCall = (v.get("b") as PyTuple).items[0];
    expect(bytesCall).toBeInstanceOf(PyObject);
    expect(((bytesCall as PyObject).callable as PyGlobal).qualifiedName).toBe("_codecs.encode");
  });

  it("reconstructs OrderedDict and datetime", () => {
    const od = unpickle(hex("80049529000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0178944b01732e"));
    expect(od).toBeInstanceOf(PyOrderedDict);
    expect((od as PyOrderedDict).dict.get("x")).toBe(1);
    const dt = unpickle(hex("8003636461746574696d650a6461746574696d650a7100430a07e4010203040500000671018571025271032e")) as PyDateTime;
    expect(dt.kind).toBe("datetime");
    expect(dt.fields).toEqual([2020, 1, 2, 3, 4, 5, 6]);
    expect(dt.source).toBeInstanceOf(PyObject);
  });

  it("calls persistentLoad, or keeps PyPersistent", () => {
    const b = hex("80025d710028580700000073746f72616765710158020000006b307102867103514b01652e");
    const inert = unpickle(b) as PyValue[];
    expect(inert[0]).toBeInstanceOf(PyPersistent);
    const seen: PyValue[] = [];
    const v = unpickle(b, {
      persistentLoad: (pid) => {
        seen.push(pid);
        return "loaded";
      },
    });
    expect(v).toEqual(["loaded", 1]);
    expect((seen[0] as PyTuple).items).toEqual(["storage", "k0"]);
  });

  it("runs caller reconstructors and reports hooks with offsets", () => {
    const globals: string[] = [];
    const calls: string[] = [];
    const v = unpickle(hex(DICT_P2), {
      reconstructors: { "_codecs.encode": (args) => `encoded:${String(args[0])}` },
      hooks: {
        onGlobal: (g, offset, opcode) => globals.push(`${g.qualifiedName}@${offset}:${opcode}`),
        onCall: (c, args, offset, opcode) => calls.push(`${(c as PyGlobal).name}/${args.length}@${offset}:${opcode}`),
      },
    }) as PyDict;
    expect((v.get("b") as PyTuple).items[0]).toBe("encoded:xy");
    expect(globals).toEqual(["_codecs.encode@49:GLOBAL"]);
    expect(calls).toEqual(["encode/2@92:REDUCE"]);
  });

  it("keeps recursive structures shared", () => {
    const l = unpickle(hex("80025d71006800612e")) as PyValue[];
    expect(l[0]).toBe(l);
  });

  it("reads concatenated pickles and exposes the end offset", () => {
    const one = hex("80025d71006800612e");
    const two = new Uint8Array([...one, ...hex("4b052e")]);
    const r = unpickleAt(two, 0);
    expect(r.end).toBe(one.length);
    expect(unpickleAt(two, r.end).value).toBe(5);
    expect(unpickleAll(two)).toHaveLength(2);
  });

  it("rejects bad input with CodecErrors", () => {
    expectCodecError(() => unpickle(new Uint8Array(0)), "TRUNCATED");
    expectCodecError(() => unpickle(hex("8002")), "TRUNCATED");
    expectCodecError(() => unpickle(hex("80022e")), "CORRUPT");
    expectCodecError(() => unpickle(hex("ff")), "CORRUPT");
    expectCodecError(() => unpickle(hex("8006")), "UNSUPPORTED");
    expectCodecError(() => unpickle(hex("6805")), "CORRUPT");
    expectCodecError(() => unpickle(new Uint8Array(20000).fill(0x28)), "LIMIT");
    expectCodecError(() => unpickle(hex("8c05c3")), "TRUNCATED");
    expectCodecError(() => unpickle(hex("8c02c3282e")), "CORRUPT");
    // c os\nsystem\n } b . : BUILD on a global would set a module's attributes.
    expectCodecError(() => unpickle(hex("636f730a73797374656d0a7d622e")), "UNSAFE");
  });

  it("decodes protocol 0 text opcodes", () => {
    const t = (s: string) => unpickle(new TextEncoder().encode(s));
    expect(t("I00\n.")).toBe(false);
    expect(t("I01\n.")).toBe(true);
    expect(t("I-12\n.")).toBe(-12);
    expect(t("L123456789012345678901234567890L\n.")).toBe(123456789012345678901234567890n);
    expect(t("F1.5\n.")).toBe(1.5);
    expect(t("S'a\\nb\\x41'\n.")).toBe("a\nbA");
    expect(t("Vcaf\\u00e9\n.")).toBe("café");
    expect(t("(lp0\nI1\naI2\na.")).toEqual([1, 2]);
    const inst = t("(i__main__\nC\np0\n(dp1\nS'x'\nI1\nsb.") as PyObject;
    expect(inst).toBeInstanceOf(PyObject);
    expect((inst.state as PyDict).get("x")).toBe(1);
    expect(t("c__builtin__\nset\n((lI1\natR.")).toMatchObject({ frozen: false, items: [1] });
  });
});
