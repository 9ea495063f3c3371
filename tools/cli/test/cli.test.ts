import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ZipWriter } from "@codec/core";
import { describe, expect, it } from "vitest";
import { npyFixtures, run, samples, tmp } from "./run-cli.js";

const s = (name: string) => join(samples, name);
const f = (name: string) => join(npyFixtures, name);

function oneErrorLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^codec: /);
  return lines[0];
}

describe("usage (exit status 2) and help (0)", () => {
  it("--help and -h print usage to stdout", async () => {
    for (const argv of [["--help"], ["-h"], ["inspect", "--help"], ["convert", "-h"]]) {
      const r = await run(argv);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: codec <command>/);
      expect(r.stdout).toContain("codec inspect FILE [--json] [--digest]");
      expect(r.stdout).toContain("codec convert IN OUT");
      expect(r.stdout).toContain("codec scan FILE [--json]");
      expect(r.stderr).toBe("");
    }
  });

  it("--version", async () => {
    const r = await run(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^codec \d+\.\d+\.\d+\n$/);
  });

  it.each([
    [[], /missing command/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["run", "model.onnx", "--input", "x=a.npy"], /run: --out DIR is required/],
    [["--bogus"], /unknown option '--bogus'/],
    [["inspect"], /inspect: expected one FILE, got 0/],
    [["inspect", "a", "b"], /inspect: expected one FILE, got 2/],
    [["inspect", s("image.npy"), "--bogus"], /inspect: unknown option '--bogus'/],
    [["inspect", "x.npy", "--json=1"], /takes no value/],
    [["convert", "a.npy"], /convert: expected IN and OUT, got 1 argument/],
    [["convert", "a.npy", "b.xyz"], /cannot tell the output format from the extension '.xyz'/],
    [["convert", "a.npy", "b"], /without an extension/],
    [["scan"], /scan: expected one FILE/],
    [["scan", "x", "--digest"], /scan: unknown option '--digest'/],
  ])("%j -> exit 2", async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.status).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it("usage errors are reported before touching the input", async () => {
    const r = await run(["convert", "/nonexistent/in.npy", "out.weird"]);
    expect(r.status).toBe(2);
  });
});

describe("inspect", () => {
  it("prints a table of name, dtype, shape and size", async () => {
    const r = await run(["inspect", s("mlp.safetensors")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toContain("safetensors, 5 tensors, 204 B");
    expect(lines).toContainEqual(expect.stringMatching(/^name\s+dtype\s+shape\s+size$/));
    expect(lines).toContainEqual(expect.stringMatching(/^fc1\.weight\s+float32\s+\[8, 4\]\s+128 B$/));
    expect(lines).toContainEqual(expect.stringMatching(/^step\s+int64\s+\[\]\s+8 B$/));
    expect(r.stdout).toContain("source: codec demo");
  });

  it("--json prints exactly one JSON document in the contract's shape", async () => {
    const r = await run(["inspect", s("mlp.safetensors"), "--json"]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(["format", "tensors", "metadata"]);
    expect(doc.format).toBe("safetensors");
    expect(doc.metadata).toEqual({ format: "pt", source: "codec demo" });
    expect(doc.tensors).toContainEqual({ name: "fc2.weight", dtype: "float16", shape: [2, 8] });
    for (const t of doc.tensors) expect(Object.keys(t)).toEqual(["name", "dtype", "shape"]);
  });

  it("--digest matches the sha256 numpy computed for every golden .npy and .npz", async () => {
    const expected = JSON.parse(readFileSync(f("expected.json"), "utf8"));
    let checked = 0;
    for (const c of expected.npy) {
      const r = await run(["inspect", f(c.file), "--json", "--digest"]);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.format).toBe("npy");
      expect(doc.tensors).toEqual([{ name: "array", dtype: c.dtype, shape: c.shape, sha256: c.sha256 }]);
      checked++;
    }
    for (const c of expected.npz) {
      const r = await run(["inspect", f(c.file), "--digest", "--json"]);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.format).toBe("npz");
      const byName = Object.fromEntries(doc.tensors.map((t: { name: string }) => [t.name, t]));
      for (const t of c.tensors) expect(byName[t.name]).toEqual({ name: t.name, dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
      checked++;
    }
    expect(checked).toBe(expected.npy.length + expected.npz.length);
  });

  it("--digest adds a sha256 column to the table", async () => {
    const r = await run(["inspect", s("image.npy"), "--digest"]);
    expect(r.status).toBe(0);
    const sha = createHash("sha256").update(readFileSync(s("image.npy")).subarray(128)).digest("hex");
    expect(r.stdout).toMatch(new RegExp(`^array\\s+float32\\s+\\[1, 3, 4, 4\\]\\s+192 B\\s+${sha}$`, "m"));
  });

  it("detects the format from content, not the extension", async () => {
    const dir = tmp();
    copyFileSync(s("image.npy"), join(dir, "weights.safetensors"));
    copyFileSync(s("mlp.safetensors"), join(dir, "data.npz"));
    copyFileSync(s("arrays.npz"), join(dir, "archive.bin"));
    expect(JSON.parse((await run(["inspect", join(dir, "weights.safetensors"), "--json"])).stdout).format).toBe("npy");
    expect(JSON.parse((await run(["inspect", join(dir, "data.npz"), "--json"])).stdout).format).toBe("safetensors");
    expect(JSON.parse((await run(["inspect", join(dir, "archive.bin"), "--json"])).stdout).format).toBe("npz");
  });

  it("refused content fails with one line naming the format and offset (exit 1)", async () => {
    const r = await run(["inspect", f("err_object.npy")]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/^codec: npy: object arrays .* at offset 0xa$/);
  });

  it("a record-dtype .npy holds no tensor: listed empty, the reason in metadata (exit 0)", async () => {
    const t = await run(["inspect", f("err_structured.npy"), "--json"]);
    expect(t.status).toBe(0);
    const doc = JSON.parse(t.stdout) as { tensors: unknown[]; metadata: { npy?: { unsupported?: string } } };
    expect(doc.tensors).toEqual([]);
    expect(doc.metadata.npy?.unsupported).toMatch(/structured/);
  });

  it("a truncated file is TRUNCATED only when its data is read (--digest)", async () => {
    const dir = tmp();
    const bytes = readFileSync(s("image.npy"));
    writeFileSync(join(dir, "cut.npy"), bytes.subarray(0, bytes.length - 10));
    expect((await run(["inspect", join(dir, "cut.npy")])).status).toBe(0);
    const r = await run(["inspect", join(dir, "cut.npy"), "--digest"]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/^codec: npy: data needs 192 bytes, 182 present at offset 0x136$/);
  });

  it("unknown content, missing files and directories fail with exit 1", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "junk.bin"), "hello world, this is not a model");
    let r = await run(["inspect", join(dir, "junk.bin")]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/cannot detect the format of '.*junk\.bin' \(32 bytes; known formats: safetensors, npy, npz/);
    r = await run(["inspect", join(dir, "missing.npy")]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/cannot open '.*missing\.npy': no such file/);
    r = await run(["inspect", dir]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/is a directory/);
    writeFileSync(join(dir, "empty"), "");
    r = await run(["inspect", join(dir, "empty")]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/cannot detect the format/);
  });

  it("--debug adds the stack trace after the one-line message", async () => {
    const r = await run(["inspect", f("err_object.npy"), "--debug"]);
    expect(r.status).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toMatch(/^codec: npy: object arrays/);
    expect(lines.slice(1).join("\n")).toMatch(/\n?\s+at /);
  });

  it("progress goes to a TTY stderr only, never to stdout", async () => {
    const piped = await run(["inspect", s("arrays.npz"), "--digest"]);
    expect(piped.stderr).toBe("");
    const tty = await run(["inspect", s("arrays.npz"), "--digest", "--json"], { tty: true });
    expect(tty.status).toBe(0);
    JSON.parse(tty.stdout);
  });
});

describe("convert", () => {
  async function digests(path: string): Promise<Record<string, string>> {
    const r = await run(["inspect", path, "--json", "--digest"]);
    expect(r.status, r.stderr).toBe(0);
    return Object.fromEntries(JSON.parse(r.stdout).tensors.map((t: { name: string; sha256: string }) => [t.name, t.sha256]));
  }

  it("safetensors -> npz -> safetensors keeps every tensor; string metadata carries", async () => {
    const dir = tmp();
    expect((await run(["convert", s("mlp.safetensors"), join(dir, "m.npz")])).status).toBe(0);
    expect(await digests(join(dir, "m.npz"))).toEqual(await digests(s("mlp.safetensors")));
    expect((await run(["convert", join(dir, "m.npz"), join(dir, "m.safetensors")])).status).toBe(0);
    expect(await digests(join(dir, "m.safetensors"))).toEqual(await digests(s("mlp.safetensors")));
    // npy -> safetensors: nothing string-valued to carry, so no __metadata__.
    expect((await run(["convert", s("image.npy"), join(dir, "i.safetensors")])).status).toBe(0);
    expect(JSON.parse((await run(["inspect", join(dir, "i.safetensors"), "--json"])).stdout).metadata).toEqual({});
  });

  it("safetensors -> safetensors re-encodes with its metadata", async () => {
    const dir = tmp();
    const r = await run(["convert", s("mlp.safetensors"), join(dir, "copy.safetensors")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const doc = JSON.parse((await run(["inspect", join(dir, "copy.safetensors"), "--json"])).stdout);
    expect(doc.metadata).toEqual({ format: "pt", source: "codec demo" });
    expect(await digests(join(dir, "copy.safetensors"))).toEqual(await digests(s("mlp.safetensors")));
  });

  it("every golden .npy -> .npy is what numpy.save writes for it", async () => {
    const expected = JSON.parse(readFileSync(f("expected.json"), "utf8"));
    const dir = tmp();
    for (const c of expected.npy) {
      const out = join(dir, c.file);
      const r = await run(["convert", f(c.file), out]);
      expect(r.status, r.stderr).toBe(0);
      expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(c.save_sha256);
    }
  });

  it("npy -> safetensors -> npy is byte-identical to numpy's file", async () => {
    const dir = tmp();
    expect((await run(["convert", s("image.npy"), join(dir, "a.safetensors")])).status).toBe(0);
    expect((await run(["convert", join(dir, "a.safetensors"), join(dir, "a.npy")])).status).toBe(0);
    expect(readFileSync(join(dir, "a.npy")).equals(readFileSync(s("image.npy")))).toBe(true);
  });

  it("npz -> npz keeps compression and arrays", async () => {
    const dir = tmp();
    for (const file of ["stored.npz", "compressed.npz", "positional.npz"]) {
      const out = join(dir, file);
      expect((await run(["convert", f(file), out])).status).toBe(0);
      expect(await digests(out)).toEqual(await digests(f(file)));
      const meta = (p: string) => run(["inspect", p, "--json"]).then((r) => JSON.parse(r.stdout).metadata.npz.compressed);
      expect(await meta(out)).toBe(await meta(f(file)));
    }
  });

  it("refusals exit 1 and leave no output file behind", async () => {
    const dir = tmp();
    let r = await run(["convert", s("arrays.npz"), join(dir, "x.npy")]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/^codec: npy: a \.npy file holds exactly one array, the input has 3 tensors/);
    r = await run(["convert", f("err_object.npy"), join(dir, "y.safetensors")]);
    expect(r.status).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses to overwrite its own input", async () => {
    const dir = tmp();
    copyFileSync(s("image.npy"), join(dir, "a.npy"));
    const r = await run(["convert", join(dir, "a.npy"), join(dir, ".", "a.npy")]);
    expect(r.status).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/same file/);
    expect(readFileSync(join(dir, "a.npy")).equals(readFileSync(s("image.npy")))).toBe(true);
  });

  it("a directory or a missing directory as OUT fails with exit 1 naming OUT", async () => {
    const dir = tmp();
    let r = await run(["convert", s("image.npy"), join(dir, "no", "such", "x.npz")]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/cannot write '.*x\.npz': directory '.*such' does not exist/);
    const sub = join(dir, "d.npz");
    mkdirSync(sub);
    r = await run(["convert", s("image.npy"), sub]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/cannot write '.*d\.npz': is a directory/);
  });

  it("replaces an existing output only on success", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "out.npy"), "keep me");
    expect((await run(["convert", s("mlp.safetensors"), join(dir, "out.npy")])).status).toBe(1);
    expect(readFileSync(join(dir, "out.npy"), "utf8")).toBe("keep me");
    expect((await run(["convert", s("image.npy"), join(dir, "out.npy")])).status).toBe(0);
    expect(existsSync(join(dir, "out.npy"))).toBe(true);
    expect(readdirSync(dir)).toEqual(["out.npy"]);
  });
});

describe("sharded safetensors (model.safetensors.index.json)", () => {
  const index = join(npyFixtures, "..", "..", "..", "safetensors", "test", "fixtures", "sharded", "model.safetensors.index.json");

  it("inspects the whole set through its index, and merges it on convert", async () => {
    const r = await run(["inspect", index, "--json", "--digest"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.format).toBe("safetensors");
    expect(doc.tensors.length).toBeGreaterThan(1);
    const dir = tmp();
    const merged = join(dir, "merged.safetensors");
    expect((await run(["convert", index, merged])).status).toBe(0);
    const back = JSON.parse((await run(["inspect", merged, "--json", "--digest"])).stdout);
    const byName = (ts: Array<{ name: string }>) => Object.fromEntries(ts.map((t) => [t.name, t]));
    expect(byName(back.tensors)).toEqual(byName(doc.tensors));
  });

  it("a dtype NumPy lacks (bfloat16) refuses the conversion to .npz before writing", async () => {
    const dir = tmp();
    const r = await run(["convert", index, join(dir, "x.npz")]);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/^codec: npz: tensor '.*' has dtype (bfloat16|float8_e4m3fn|float8_e5m2), which NumPy cannot store$/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("scan", () => {
  it.each([
    ["mlp.safetensors", "safetensors"],
    ["image.npy", "npy"],
    ["arrays.npz", "npz"],
  ])("%s has no pickles: verdict safe, exit 0", async (file, format) => {
    const r = await run(["scan", s(file), "--json"]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format, verdict: "safe", globals: [] });
    const text = await run(["scan", s(file)]);
    expect(text.stdout).toContain("verdict: safe");
  });
});

describe("scan: numpy object arrays hold pickles", () => {
  it("a benign object .npy lists numpy's reconstructors: safe, exit 0", async () => {
    const r = await run(["scan", f("err_object.npy"), "--json"]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).slice(0, 3)).toEqual(["format", "verdict", "globals"]);
    expect(doc).toMatchObject({ format: "npy", verdict: "safe", object_arrays: ["array"] });
    expect(doc.globals).toContainEqual(expect.objectContaining({ module: "numpy", name: "ndarray", risk: "safe" }));
  });

  it("an object .npy whose pickle imports os.system is dangerous: exit 1", async () => {
    const r = await run(["scan", f("err_object_os_system.npy"), "--json"]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe("dangerous");
    expect(doc.globals).toContainEqual(expect.objectContaining({ module: "posix", name: "system", risk: "dangerous" }));
    const text = await run(["scan", f("err_object_os_system.npy")]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/npy, verdict: dangerous\n/);
    expect(text.stdout).toMatch(/dangerous +posix\.system/);
  });

  it("string, record and datetime arrays hold no pickle: safe, exit 0 (.npy and inside an .npz)", async () => {
    for (const name of ["err_unicode.npy", "err_structured.npy", "err_datetime.npy"]) {
      const r = await run(["scan", f(name), "--json"]);
      expect([name, r.status]).toEqual([name, 0]);
      expect(JSON.parse(r.stdout)).toMatchObject({ format: "npy", verdict: "safe" });
    }
    const dir = tmp();
    const zip = new ZipWriter();
    zip.add("ok.npy", new Uint8Array(readFileSync(s("image.npy"))));
    zip.add("names.npy", new Uint8Array(readFileSync(f("err_unicode.npy"))));
    writeFileSync(join(dir, "strings.npz"), zip.finish());
    const r = await run(["scan", join(dir, "strings.npz"), "--json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "npz", verdict: "safe" });
  });

  it.each([false, true])("an .npz with a dangerous object member (compressed=%s)", async (compress) => {
    const dir = tmp();
    const zip = new ZipWriter();
    zip.add("ok.npy", new Uint8Array(readFileSync(s("image.npy"))), compress ? { compress: true } : {});
    zip.add("objs.npy", new Uint8Array(readFileSync(f("err_object_os_system.npy"))), compress ? { compress: true } : {});
    writeFileSync(join(dir, "mixed.npz"), zip.finish());
    const r = await run(["scan", join(dir, "mixed.npz"), "--json"]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "npz", verdict: "dangerous", object_arrays: ["objs"] });
    // inspect lists the numeric arrays and names the object ones; convert keeps them in an npz.
    const i = await run(["inspect", join(dir, "mixed.npz"), "--json"]);
    expect(i.status).toBe(0);
    const doc = JSON.parse(i.stdout);
    expect(doc.tensors.map((t: { name: string }) => t.name)).toEqual(["ok"]);
    expect(doc.metadata.npz.object_arrays).toEqual(["objs"]);
    expect((await run(["convert", join(dir, "mixed.npz"), join(dir, "copy.npz")])).status).toBe(0);
    const again = await run(["scan", join(dir, "copy.npz"), "--json"]);
    expect(again.status).toBe(1);
    expect(JSON.parse(again.stdout).object_arrays).toEqual(["objs"]);
  });
});
