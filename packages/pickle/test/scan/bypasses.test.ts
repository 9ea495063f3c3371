/**
 * Published bypasses of picklescan, modelscan, fickling and torch's
 * weights_only loader, rebuilt by hand as bytes. Each test says what the
 * bypass did to the scanner it fooled and checks that ours still reports
 * `dangerous` (or at least never `safe` where CPython itself fails).
 */
import { ZipWriter } from "@codec/core";
import { describe, expect, it } from "vitest";
import { scanPickle, scanZip } from "../../src/scan/index.js";
import {
  APPEND,
  B,
  BINGET,
  BININT,
  BININT1,
  BINPUT,
  BUILD,
  bytesOf,
  callWithString,
  DICT,
  DUP,
  EMPTY_DICT,
  EMPTY_LIST,
  EMPTY_TUPLE,
  FRAME,
  GLOBAL,
  INST,
  LIST,
  MARK,
  MEMOIZE,
  NEWOBJ,
  NONE,
  OBJ,
  type Part,
  POP,
  PROTO,
  REDUCE,
  S,
  SETITEM,
  STACK_GLOBAL,
  STOP,
  TUPLE1,
  TUPLE2,
  U,
  X,
} from "./assemble.js";

const kinds = (r: ReturnType<typeof scanPickle>) => r.findings.map((f) => f.kind);
const dangerousNames = (r: ReturnType<typeof scanPickle>) => r.globals.filter((g) => g.risk === "dangerous").map((g) => `${g.module}.${g.name}`);

describe("scanner bypasses", () => {
  it("FRAME-boundary divergence: an opcode straddling a FRAME end (cpython#154848, fickling)", () => {
    // The frame says 3 bytes, but the BINUNICODE that starts inside it runs past its end. The C
    // unpickler ignores frame ends and reads the whole string; pickle.py's _Unframer raises. Scanners
    // that walk frame by frame see different opcodes than the loader.
    const payload = X("hidden");
    const bytes = bytesOf(PROTO(4), FRAME(3), payload, POP, NONE, STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(kinds(r)).toContain("frame-boundary");
  });

  it("FRAME opened inside another frame", () => {
    const bytes = bytesOf(PROTO(4), FRAME(11), FRAME(1), NONE, STOP);
    expect(kinds(scanPickle(bytes))).toContain("frame-boundary");
  });

  it("memo miss after the payload ran (picklescan keyerror-exploit)", () => {
    // os.system runs at REDUCE; then BINGET 3 misses the memo. Scanners that crash with KeyError
    // reported nothing; CPython fails too, but only after the command ran.
    const bytes = bytesOf(PROTO(4), callWithString("os", "system", "id"), POP, U("os"), MEMOIZE, BINGET(3), STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(r.errors[0].message).toMatch(/Memo value not found/);
    expect(dangerousNames(r)).toContain("os.system");
  });

  it("non-str STACK_GLOBAL operand after the payload (picklescan type-confusion-exploit)", () => {
    // STACK_GLOBAL(42, 'os') made scanners crash on int.split; CPython raises too, after os.system ran.
    const bytes = bytesOf(PROTO(4), callWithString("os", "system", "id"), POP, BININT(42), MEMOIZE, U("os"), MEMOIZE, BINGET(0), BINGET(1), STACK_GLOBAL, STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(r.errors[0].message).toMatch(/STACK_GLOBAL requires str/);
  });

  it("a lone non-str STACK_GLOBAL is an unparseable pickle: suspicious, never safe", () => {
    const r = scanPickle(bytesOf(PROTO(4), BININT1(1), BININT1(2), STACK_GLOBAL, STOP));
    expect(r.verdict).toBe("suspicious");
  });

  it("memo aliasing: slots overwritten after a harmless-looking first PUT", () => {
    // A scanner that resolves BINGET from the first PUT of each slot reads posixpath.join; the loader
    // reads the later PUTs: os.system.
    const bytes = bytesOf(
      PROTO(4),
      U("posixpath"), BINPUT(0), POP, U("join"), BINPUT(1), POP,
      U("os"), BINPUT(0), POP, U("system"), BINPUT(1), POP,
      BINGET(0), BINGET(1), STACK_GLOBAL, X("id"), TUPLE1, REDUCE, STOP,
    );
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(dangerousNames(r)).toEqual(["os.system"]);
  });

  it("STACK_GLOBAL on memoized strings (malicious-invalid-bytes: torch.LongStorage decoy)", () => {
    const bytes = bytesOf("Vos\np2\n0Vsystem\np3\n0Vtorch\np0\n0VLongStorage\np1\n0g2\ng3\n", STACK_GLOBAL, "(Vcat flag.txt\ntR.");
    expect(dangerousNames(scanPickle(bytes))).toEqual(["os.system"]);
  });

  it("BUILD on an imported function rewrites it, then STACK_GLOBAL reads the planted strings (modelscan#85)", () => {
    // numpy.prod gets attributes a='os', b='system' through BUILD's setattr; GLOBAL 'numpy prod.a'
    // then yields 'os', and STACK_GLOBAL imports os.system. No blocklisted name appears literally.
    const bytes = bytesOf(
      PROTO(5), GLOBAL("numpy", "prod"),
      NONE, MARK, X("a"), X("os"), DICT, TUPLE2, BUILD,
      NONE, MARK, X("b"), X("system"), DICT, TUPLE2, BUILD, POP,
      GLOBAL("numpy", "prod.a"), "p0\n", GLOBAL("numpy", "prod.b"), "p1\n", POP, POP,
      "g0\ng1\n", STACK_GLOBAL, X("echo pwned"), TUPLE1, REDUCE, STOP,
    );
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(kinds(r)).toEqual(expect.arrayContaining(["build-on-global", "computed-global"]));
  });

  it("BUILD on an imported module (picklescan sys_module_override_sploit)", () => {
    // torch._utils gets _rebuild_tensor='builtins' by BUILD; the next STACK_GLOBAL uses it.
    const bytes = bytesOf(PROTO(4), X("torch"), X("_utils"), STACK_GLOBAL, EMPTY_DICT, X("_rebuild_tensor"), X("eval"), SETITEM, BUILD, POP, NONE, STOP);
    const r = scanPickle(bytes, { torch: true });
    expect(r.verdict).toBe("dangerous");
    expect(kinds(r)).toContain("build-on-global");
  });

  it("pkgutil.resolve_name and pydoc.locate (missing from older blocklists)", () => {
    const viaPkgutil = bytesOf(PROTO(2), callWithString("pkgutil", "resolve_name", "os:system"), X("id"), TUPLE1, REDUCE, STOP);
    const r = scanPickle(viaPkgutil);
    expect(r.verdict).toBe("dangerous");
    expect(r.calls.some((c) => /computed while unpickling/.test(c.reason ?? ""))).toBe(true);
    const viaPydoc = bytesOf(PROTO(2), callWithString("pydoc", "locate", "os.system"), X("id"), TUPLE1, REDUCE, STOP);
    expect(scanPickle(viaPydoc).verdict).toBe("dangerous");
  });

  it("stdlib command runners outside the classic blocklists", () => {
    for (const [m, n] of [
      ["uuid", "_get_command_stdout"],
      ["_aix_support", "_read_cmd_output"],
      ["_osx_support", "_read_output"],
      ["imaplib", "IMAP4_stream"],
      ["ensurepip", "_run_pip"],
      ["torch.utils.collect_env", "run"],
      ["numpy.f2py.crackfortran", "getlincoef"],
      ["timeit", "timeit"],
      ["venv", "create"],
      ["fickling.hook", "remove_hook"],
    ]) {
      expect(scanPickle(bytesOf(PROTO(2), callWithString(m, n, "id"), STOP)).verdict, `${m}.${n}`).toBe("dangerous");
    }
  });

  it("unbound method with a forged self (GHSA idlelib/profile/trace vectors)", () => {
    // `Class.method({}, code)`: the method runs with a dict as self. The module name is not blocklisted.
    const bytes = bytesOf(PROTO(4), U("somepkg.shell"), U("Interpreter.runit"), STACK_GLOBAL, EMPTY_DICT, X("print(1)"), TUPLE2, REDUCE, STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(r.calls[0].reason).toMatch(/unbound method/);
  });

  it("an unknown function fed Python source is dangerous even when its name is not", () => {
    const bytes = bytesOf(PROTO(2), callWithString("somepkg.tools", "helper", "__import__('os').system('id')"), STOP);
    expect(scanPickle(bytes).verdict).toBe("dangerous");
  });

  it("SETITEM on a non-dict: an imported object's __setitem__", () => {
    // Scanners that modelled SETITEM as dict-only crashed or skipped it; the loader calls __setitem__.
    const bytes = bytesOf(PROTO(2), GLOBAL("somepkg", "REGISTRY"), X("key"), X("value"), SETITEM, STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(kinds(r)).toContain("mutates-global");
  });

  it("APPEND on an imported object", () => {
    const bytes = bytesOf(PROTO(2), GLOBAL("somepkg", "HOOKS"), X("x"), APPEND, STOP);
    expect(kinds(scanPickle(bytes))).toContain("mutates-global");
  });

  it("SETITEM on an instance is only suspicious (dict subclasses do this)", () => {
    const bytes = bytesOf(PROTO(2), GLOBAL("somepkg", "MyDict"), EMPTY_TUPLE, REDUCE, X("k"), BININT1(1), SETITEM, STOP);
    expect(scanPickle(bytes).verdict).toBe("suspicious");
  });

  it("multiple pickles concatenated: the second stream carries the payload", () => {
    // pickle.load in a loop (torch legacy files, joblib) runs every stream; scanners stopped at STOP.
    const bytes = bytesOf(PROTO(2), EMPTY_LIST, STOP, PROTO(2), callWithString("os", "system", "id"), STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(r.streams).toHaveLength(2);
    expect(r.globals.find((g) => g.name === "system")?.stream).toBe("1");
  });

  it("junk after STOP: never safe; a dangerous global in the junk still counts", () => {
    const junk = scanPickle(bytesOf(PROTO(2), EMPTY_LIST, STOP, 0xff, 0xfe));
    expect(junk.verdict).toBe("suspicious");
    expect(kinds(junk)).toContain("trailing-data");
    const loaded = scanPickle(bytesOf(PROTO(2), EMPTY_LIST, STOP, GLOBAL("os", "system"), 0xff));
    expect(loaded.verdict).toBe("dangerous");
  });

  it("legacy torch files: storages after the 5 pickles are data, a pickle hidden there is still scanned", () => {
    const magic = [0x80, 2, 0x8a, 10, 108, 252, 156, 70, 249, 32, 106, 168, 80, 25, 46];
    const head = [magic, PROTO(2), BININT1(0x3e9 & 0xff), STOP, PROTO(2), EMPTY_DICT, STOP];
    const main = [PROTO(2), GLOBAL("torch._utils", "_rebuild_tensor_v2"), EMPTY_TUPLE, REDUCE, STOP];
    const keys = [PROTO(2), EMPTY_LIST, STOP];
    const storages = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 0xf0) & 0xff);
    const clean = scanPickle(bytesOf(head, main, keys, storages));
    expect(clean.verdict).toBe("safe");
    expect(kinds(clean)).toContain("torch-legacy-storages");
    // torch.load never unpickles past the storage keys, but `pickle.load` in a loop would.
    const hidden = scanPickle(bytesOf(head, main, keys, PROTO(2), callWithString("os", "system", "id"), STOP, storages));
    expect(hidden.verdict).toBe("dangerous");
  });

  it("torch.storage._load_from_bytes is judged by the legacy torch file it loads", () => {
    // torch 1.x pickles a tensor's storage as _load_from_bytes(<legacy torch file>): torch.load of those
    // bytes runs their pickles, so the call is as risky as what they contain.
    const magic = [0x80, 2, 0x8a, 10, 108, 252, 156, 70, 249, 32, 106, 168, 80, 25, 46];
    const legacy = (main: Part) => bytesOf(magic, PROTO(2), BININT1(1), STOP, PROTO(2), EMPTY_DICT, STOP, main, PROTO(2), EMPTY_LIST, STOP, 0xf0, 0xf1);
    const load = (inner: Uint8Array) => bytesOf(PROTO(2), GLOBAL("torch.storage", "_load_from_bytes"), B(inner), TUPLE1, REDUCE, STOP);
    const benign = scanPickle(load(legacy([PROTO(2), GLOBAL("torch", "FloatStorage"), STOP])));
    expect(benign.verdict).toBe("suspicious");
    const evil = scanPickle(load(legacy([PROTO(2), callWithString("os", "system", "id"), STOP])));
    expect(evil.verdict).toBe("dangerous");
    // Bytes the scanner cannot read are not given the benefit of the doubt.
    expect(scanPickle(load(bytesOf("PK\x03\x04zip"))).verdict).toBe("dangerous");
  });

  it("trailing newline padding after STOP is harmless", () => {
    expect(scanPickle(bytesOf(PROTO(2), EMPTY_LIST, STOP, "\n\n")).verdict).toBe("safe");
  });

  it("INST and OBJ calls (fickling obj_pop_call_invisibility, picklescan malicious10)", () => {
    expect(scanPickle(bytesOf(MARK, X("id"), INST("os", "system"), STOP)).verdict).toBe("dangerous");
    // OBJ result popped right away: invisible to scanners that only look at the final value.
    const obj = bytesOf(PROTO(1), MARK, GLOBAL("smtplib", "SMTP"), X("127.0.0.1"), OBJ, POP, NONE, STOP);
    expect(scanPickle(obj).verdict).toBe("dangerous");
  });

  it("getattr chains reach os.system without naming it (fickling builtins_import_bypass)", () => {
    const bytes = bytesOf(
      PROTO(2), GLOBAL("builtins", "getattr"),
      GLOBAL("builtins", "__import__"), X("os"), TUPLE1, REDUCE,
      X("system"), TUPLE2, REDUCE, X("id"), TUPLE1, REDUCE, STOP,
    );
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(r.calls.at(-1)?.reason).toMatch(/computed/);
  });

  it("operator.attrgetter / methodcaller chains", () => {
    const bytes = bytesOf(PROTO(2), GLOBAL("_operator", "methodcaller"), X("system"), X("id"), TUPLE2, REDUCE, GLOBAL("pydoc", "locate"), X("os"), TUPLE1, REDUCE, TUPLE1, REDUCE, STOP);
    expect(scanPickle(bytes).verdict).toBe("dangerous");
  });

  it("functools.partial of a nested loader (picklescan malicious19)", () => {
    const bytes = bytesOf(PROTO(2), GLOBAL("functools", "partial"), GLOBAL("torch.serialization", "load"), TUPLE1, REDUCE, STOP);
    expect(scanPickle(bytes).verdict).toBe("dangerous");
  });

  it("a pickle nested in bytes passed to loads is scanned recursively", () => {
    const inner = bytesOf(PROTO(2), callWithString("os", "system", "id"), STOP);
    const bytes = bytesOf(PROTO(3), GLOBAL("_pickle", "loads"), B(inner), TUPLE1, REDUCE, STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(r.globals.some((g) => g.name === "system" && g.stream?.startsWith("0>"))).toBe(true);
    expect(kinds(r)).toContain("nested-pickle");
  });

  it("a nested pickle built by _codecs.encode and fed to an unknown loader", () => {
    // Protocol 0-2 pickles carry bytes as _codecs.encode(str, 'latin1'); the loader here is not blocklisted.
    const inner = "cos\nsystem\n(S'id'\ntR.";
    const bytes = bytesOf(PROTO(2), GLOBAL("somepkg", "restore"), GLOBAL("_codecs", "encode"), X(inner), X("latin1"), TUPLE2, REDUCE, TUPLE1, REDUCE, STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(kinds(r)).toContain("nested-pickle");
  });

  it("dotted attribute paths and dunders (fickling dotted_attr_via_stdlib_module, modelscan#330)", () => {
    expect(scanPickle(bytesOf(PROTO(4), U("pathlib"), U("os.system"), STACK_GLOBAL, STOP)).verdict).toBe("dangerous");
    expect(scanPickle(bytesOf(GLOBAL("numpy", "__builtins__"), STOP)).verdict).toBe("dangerous");
  });

  it("BUILD state that replaces behaviour (__setstate__ planted on an instance)", () => {
    const bytes = bytesOf(PROTO(2), GLOBAL("somepkg", "Thing"), EMPTY_TUPLE, NEWOBJ, NONE, EMPTY_DICT, X("__setstate__"), GLOBAL("somepkg", "hook"), SETITEM, TUPLE2, BUILD, STOP);
    expect(kinds(scanPickle(bytes))).toContain("behaviour-override");
  });

  it("exponential shared-reference expansion (fickling expansion vectors)", () => {
    const bytes = bytesOf(PROTO(4), MARK, MARK, MARK, U("lol"), DUP, DUP, DUP, LIST, DUP, DUP, DUP, LIST, DUP, DUP, DUP, LIST, STOP);
    const r = scanPickle(bytes);
    expect(r.verdict).toBe("dangerous");
    expect(kinds(r)).toContain("expansion");
  });

  it("Python 2 str operands for STACK_GLOBAL are resolved", () => {
    expect(dangerousNames(scanPickle(bytesOf(PROTO(4), S("os"), S("system"), STACK_GLOBAL, STOP)))).toEqual(["os.system"]);
  });

  it("a truncated pickle is never safe; a dangerous import before the error still counts", () => {
    expect(scanPickle(bytesOf(PROTO(2), EMPTY_LIST, MARK, BININT1(1))).verdict).toBe("suspicious");
    // picklescan broken_model.pkl: GLOBAL builtins.exec, then a BINUNICODE whose length runs past the end.
    expect(scanPickle(bytesOf(GLOBAL("builtins", "exec"), MARK, "X>\nf = 1")).verdict).toBe("dangerous");
  });
});

async function zipWith(name: string, data: Uint8Array): Promise<Uint8Array> {
  const w = new ZipWriter();
  w.add(name, data);
  return w.finish() as Uint8Array;
}

function patchAll(zip: Uint8Array, sig: number, fieldOffset: number, patch: (v: DataView, at: number) => void): void {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = 0; i + 4 <= zip.length; i++) if (v.getUint32(i, true) === sig) patch(v, i + fieldOffset);
}

describe("malformed zip members (picklescan malicious1_0x1/_0x20/_0x40/_crc/_wrong_ext)", () => {
  const payload = bytesOf(PROTO(4), callWithString("builtins", "eval", "print(1)"), STOP);

  it("stray encrypted flag bit: a strict reader refuses the member, the scanner reads its raw bytes", async () => {
    const zip = await zipWith("model/config.pkl", payload);
    patchAll(zip, 0x04034b50, 6, (v, at) => v.setUint16(at, v.getUint16(at, true) | 1, true));
    patchAll(zip, 0x02014b50, 8, (v, at) => v.setUint16(at, v.getUint16(at, true) | 1, true));
    const r = await scanZip(zip);
    expect(r.verdict).toBe("dangerous");
    expect(r.findings.some((f) => f.kind === "malformed-member")).toBe(true);
  });

  it("CRC mismatch", async () => {
    const zip = await zipWith("data.pkl", payload);
    patchAll(zip, 0x04034b50, 14, (v, at) => v.setUint32(at, 0x12345678, true));
    patchAll(zip, 0x02014b50, 16, (v, at) => v.setUint32(at, 0x12345678, true));
    expect((await scanZip(zip)).verdict).toBe("dangerous");
  });

  it("a pickle under a non-pickle extension", async () => {
    expect((await scanZip(await zipWith("data.txt", payload))).verdict).toBe("dangerous");
  });

  it("a zip that is not a zip is never safe", async () => {
    expect((await scanZip(bytesOf("PK\x03\x04garbage"))).verdict).toBe("suspicious");
  });
});

describe("verdicts on ordinary pickles", () => {
  it("plain data is safe", () => {
    expect(scanPickle(bytesOf(PROTO(4), EMPTY_DICT, U("a"), MARK, BININT1(1), X("x"), LIST, SETITEM, STOP)).verdict).toBe("safe");
  });

  it("allowlisted reconstructors are safe, unknown classes suspicious", () => {
    expect(scanPickle(bytesOf(PROTO(2), GLOBAL("collections", "OrderedDict"), EMPTY_TUPLE, REDUCE, STOP)).verdict).toBe("safe");
    expect(scanPickle(bytesOf(PROTO(2), GLOBAL("__builtin__", "set"), EMPTY_LIST, TUPLE1, REDUCE, STOP)).verdict).toBe("safe");
    const sk = scanPickle(bytesOf(PROTO(2), GLOBAL("copy_reg", "_reconstructor"), GLOBAL("sklearn.linear_model._base", "LinearRegression"), GLOBAL("__builtin__", "object"), NONE, "\x87", REDUCE, STOP));
    expect(sk.verdict).toBe("suspicious");
    expect(sk.globals.find((g) => g.name === "LinearRegression")?.risk).toBe("suspicious");
  });

  it("torch rebuild functions are safe inside torch files only", () => {
    const bytes = bytesOf(PROTO(2), GLOBAL("torch._utils", "_rebuild_tensor_v2"), EMPTY_TUPLE, REDUCE, STOP);
    expect(scanPickle(bytes, { torch: true }).verdict).toBe("safe");
    expect(scanPickle(bytes).verdict).toBe("suspicious");
  });

  it("harmless os.path helpers and partial(int) are not dangerous", () => {
    expect(scanPickle(bytesOf(GLOBAL("os.path", "join"), STOP)).verdict).toBe("suspicious");
    expect(scanPickle(bytesOf(GLOBAL("posixpath", "join"), STOP)).verdict).toBe("suspicious");
    expect(scanPickle(bytesOf(PROTO(2), GLOBAL("functools", "partial"), GLOBAL("builtins", "int"), TUPLE1, REDUCE, STOP)).verdict).toBe("suspicious");
  });

  it("EXT codes resolve through the loader's registry: suspicious", () => {
    expect(scanPickle(bytesOf(PROTO(2), [0x82, 1], STOP)).verdict).toBe("suspicious");
  });

  it("inputs pickle.loads rejects with default arguments are not safe", () => {
    // A Python 2 str with non-ASCII bytes fails under the default encoding='ASCII'.
    expect(scanPickle(bytesOf(S("caf\xe9"), STOP)).verdict).toBe("suspicious");
    expect(scanPickle(bytesOf(S("caf\xe9"), STOP), { py2Encoding: "latin1" }).verdict).toBe("safe");
    // NEXT_BUFFER needs buffers= from the caller.
    expect(scanPickle(bytesOf(PROTO(5), [0x97], STOP)).verdict).toBe("suspicious");
  });

  it("records offsets and opcodes of every global", () => {
    const r = scanPickle(bytesOf(PROTO(4), U("os"), U("system"), STACK_GLOBAL, STOP));
    expect(r.globals[0]).toMatchObject({ module: "os", name: "system", risk: "dangerous", offset: 14, opcode: "STACK_GLOBAL", stream: "0" });
  });
});
