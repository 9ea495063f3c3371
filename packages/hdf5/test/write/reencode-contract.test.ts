import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor, isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import type { Link } from "../../src/model.js";
import { Hdf5Dataset, type Hdf5Group, openHdf5File } from "../../src/read/file.js";
import { openHdf5 } from "../../src/read/tensor-map.js";
import { VLEN_UTF8, intType } from "../../src/write/standard-types.js";
import { Hdf5Writer, reencodeHdf5 } from "../../src/write/index.js";

/**
 * Re-encode cases the contract suite found with fresh h5py / h5repack files
 * (tools/fixtures/contract/gen_hdf5.py make_hdf5_variants): large groups,
 * shuffle entries without parameters, external links.
 */

function i32(values: number[]): Tensor {
  return new Tensor({ dtype: "int32", shape: [values.length], data: new Uint8Array(new Int32Array(values).buffer) });
}

describe("reencodeHdf5 (contract variants)", () => {
  it("re-encodes a libver='latest' group of thousands of links (each resolved by address, links read once per group)", async () => {
    // 2000 links in one dense group made h5py files fail with LIMIT: every link was resolved by path,
    // re-reading the whole fractal heap of the group each time (n^2 metadata reads).
    const w = new Hdf5Writer({ profile: "latest" });
    const n = 2500;
    for (let i = 0; i < n; i++) w.createDataset(`large/v${String(i).padStart(5, "0")}`, i32([i]));
    const src = w.finish();
    const copy = await reencodeHdf5(src);
    const map = await openHdf5(copy);
    const names = map.names();
    expect(names.length).toBe(n);
    expect(names[1234]).toBe("large/v01234");
    expect(Array.from((await map.get("large/v02499")).typed() as Int32Array)).toEqual([2499]);
    // Looking up every name of the group stays within the reader's metadata budget.
    const f = await openHdf5File(src);
    for (let i = 0; i < n; i += 7) expect(f.get(`/large/v${String(i).padStart(5, "0")}`)).toBeInstanceOf(Hdf5Dataset);
  });

  it("gives a shuffle entry without parameters the element size, so libhdf5 can unshuffle the chunks", async () => {
    // h5repack -f SHUF stores shuffle with no client data for vlen strings (libhdf5 then skips it per chunk);
    // chunks this writer filters are shuffled by the element size, which the pipeline must then say.
    const w = new Hdf5Writer();
    const shuffle = { id: 2, name: "shuffle", optional: true, clientData: [] };
    const deflate = { id: 1, name: "deflate", optional: true, clientData: [1] };
    w.createDataset("s", { type: VLEN_UTF8, space: [3], data: ["h\u00e9llo", "", "\u2713"] }, { chunks: [2], filters: [shuffle, deflate] });
    w.createDataset("n", { type: intType(2, true), space: [4], data: new Uint8Array(new Int16Array([1, -2, 3, -4]).buffer) }, { chunks: [4], filters: [shuffle] });
    const f = await openHdf5File(w.finish());
    const s = f.get("/s") as Hdf5Dataset;
    expect(s.filters.map((x) => [x.id, [...x.clientData]])).toEqual([
      [2, [16]],
      [1, [1]],
    ]);
    expect(s.values()).toEqual(["h\u00e9llo", "", "\u2713"]);
    const n = f.get("/n") as Hdf5Dataset;
    expect(n.filters[0].clientData).toEqual([2]);
    expect(Array.from(new Int16Array((await n.read()).bytes().slice().buffer))).toEqual([1, -2, 3, -4]);
  });

  it("keeps hard links and soft links of a large group", async () => {
    const w = new Hdf5Writer({ profile: "latest" });
    w.createDataset("g/target", i32([1, 2, 3]));
    w.createHardLink("/g/alias", "/g/target");
    w.createSoftLink("/g/soft", "/g/target");
    w.createSoftLink("/g/dangling", "/nowhere");
    for (let i = 0; i < 40; i++) w.createGroup(`g/sub${i}`);
    const copy = await openHdf5File(await reencodeHdf5(w.finish()));
    const g = copy.get("/g") as Hdf5Group;
    const links = g.links();
    expect(links.length).toBe(44);
    const alias = links.find((l) => l.name === "alias");
    const target = links.find((l) => l.name === "target");
    expect(alias?.kind === "hard" && target?.kind === "hard" && alias.address === target.address).toBe(true);
    expect(links.find((l) => l.name === "dangling")).toEqual({ kind: "soft", name: "dangling", target: "/nowhere" });
  });
});

const PY = "/usr/bin/python3";
const hasH5py =
  existsSync(PY) &&
  (() => {
    try {
      execFileSync(PY, ["-c", "import h5py"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

function externalOf(links: readonly Link[], name: string): [string, string] | undefined {
  const l = links.find((x) => x.name === name);
  return l?.kind === "external" ? [l.file, l.path] : undefined;
}

describe("external links", () => {
  it("are written as link type 64 messages (compact and dense groups) and kept by a re-encode", async () => {
    const w = new Hdf5Writer({ profile: "latest" });
    w.createDataset("a/x", i32([1]));
    w.createExternalLink("/a/ext", "other.h5", "/x/y");
    w.createExternalLink("/a/\u00e9", "d\u00e9j\u00e0.h5", "/\u00e9t\u00e9");
    for (let i = 0; i < 12; i++) w.createExternalLink(`/many/e${i}`, `f${i}.h5`, `/p${i}`);
    const copy = await openHdf5File(await reencodeHdf5(w.finish()));
    const a = (copy.get("/a") as Hdf5Group).links();
    expect(externalOf(a, "ext")).toEqual(["other.h5", "/x/y"]);
    expect(externalOf(a, "\u00e9")).toEqual(["d\u00e9j\u00e0.h5", "/\u00e9t\u00e9"]);
    const many = (copy.get("/many") as Hdf5Group).links();
    expect(many.length).toBe(12);
    expect(externalOf(many, "e11")).toEqual(["f11.h5", "/p11"]);
  });

  it("are refused by the default profile (symbol table groups cannot hold them)", () => {
    const w = new Hdf5Writer();
    let code = "";
    try {
      w.createExternalLink("/e", "f.h5", "/x");
    } catch (e) {
      code = isCodecError(e) ? e.code : String(e);
    }
    expect(code).toBe("UNSUPPORTED");
  });

  it.runIf(hasH5py)("of an h5py libver='earliest' file are kept: the copy is written in the latest profile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hdf5-extlink-"));
    const p = join(dir, "e.h5");
    execFileSync(PY, [
      "-c",
      `import h5py, numpy as np\nwith h5py.File(${JSON.stringify(p)}, "w") as f:\n    f["g/x"] = np.arange(3)\n    f["g/ext"] = h5py.ExternalLink("missing.h5", "/y")\n    f["g/soft"] = h5py.SoftLink("/g/x")`,
    ]);
    const src = new Uint8Array(readFileSync(p));
    rmSync(dir, { recursive: true, force: true });
    expect((await openHdf5File(src)).superblock.version).toBe(0);
    const copy = await openHdf5File(await reencodeHdf5(src));
    expect(copy.superblock.version).toBeGreaterThanOrEqual(2);
    const links = (copy.get("/g") as Hdf5Group).links();
    expect(externalOf(links, "ext")).toEqual(["missing.h5", "/y"]);
    expect(links.find((l) => l.name === "soft")).toEqual({ kind: "soft", name: "soft", target: "/g/x" });
    expect(Array.from((await (copy.get("/g/x") as Hdf5Dataset).read()).typed() as BigInt64Array)).toEqual([0n, 1n, 2n]);
  });
});

describe.runIf(hasH5py)("object references across a re-encode", () => {
  it("are rewritten to the new header addresses: datasets, chunked, records, attributes, dimension scales", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hdf5-refs-"));
    const p = join(dir, "r.h5");
    const script = [
      "import h5py, numpy as np",
      `for lv, name in (("earliest", "r.h5"), ("latest", "rl.h5")):`,
      `    with h5py.File(${JSON.stringify(dir)} + "/" + name, "w", libver=lv) as f:`,
      `        d = f.create_dataset("g/data", data=np.arange(12, dtype="f4").reshape(4, 3))`,
      `        r = f.create_dataset("g/refs", shape=(3,), dtype=h5py.ref_dtype)`,
      "        r[0] = d.ref",
      "        r[1] = f.ref",
      `        c = f.create_dataset("g/chunked", shape=(4,), dtype=h5py.ref_dtype, chunks=(2,), compression="gzip")`,
      `        c[3] = f["g"].ref`,
      `        rec = f.create_dataset("g/rec", shape=(1,), dtype=[("r", h5py.ref_dtype), ("n", "<i4")])`,
      "        rec[0] = (d.ref, 7)",
      `        d.attrs["self"] = d.ref`,
      `        x = f.create_dataset("g/x", data=np.arange(4.0))`,
      `        x.make_scale("x")`,
      "        d.dims[0].attach_scale(x)",
    ].join("\n");
    execFileSync(PY, ["-c", script]);
    const sources = [new Uint8Array(readFileSync(p)), new Uint8Array(readFileSync(join(dir, "rl.h5")))];
    rmSync(dir, { recursive: true, force: true });
    for (const src of sources) {
      const copy = await openHdf5File(await reencodeHdf5(src));
      const path = (v: unknown): string | undefined => {
        const a = (v as { ref?: number } | null)?.ref;
        return a === undefined ? undefined : copy.pathOfAddress(a);
      };
      const ds = (name: string) => copy.get(name) as Hdf5Dataset;
      expect(ds("/g/refs").values().map(path)).toEqual(["/g/data", "/", undefined]);
      expect(ds("/g/chunked").values().map(path)).toEqual([undefined, undefined, undefined, "/g"]);
      const rec = ds("/g/rec").values()[0] as { r: unknown; n: number };
      expect([path(rec.r), rec.n]).toEqual(["/g/data", 7]);
      expect(path(ds("/g/data").attribute("self")?.value)).toBe("/g/data");
      // h5py's dimension scales: DIMENSION_LIST (vlen of references) and REFERENCE_LIST (records).
      const dimList = ds("/g/data").attribute("DIMENSION_LIST")?.value as unknown[][];
      expect(path(dimList[0][0])).toBe("/g/x");
      const refList = ds("/g/x").attribute("REFERENCE_LIST")?.value as Array<{ dataset: unknown }>;
      expect(path(refList[0].dataset)).toBe("/g/data");
    }
  });
});

describe("fractal heap direct block checksums (heap flag bit 1)", () => {
  it("are verified when dense attributes are read: a flipped byte is CORRUPT, as libhdf5 reports it", async () => {
    const w = new Hdf5Writer({ profile: "latest" });
    w.createGroup("g");
    for (let i = 0; i < 30; i++) w.setAttribute("/g", `a${String(i).padStart(2, "0")}`, new Float64Array(i + 1).fill(i));
    const good = w.finish();
    const ok = await openHdf5File(good);
    expect((ok.get("/g") as Hdf5Group).attributes().length).toBe(30);
    const at = Buffer.from(good).indexOf("FHDB");
    expect(at).toBeGreaterThan(0);
    const bad = good.slice();
    bad[at + 200] ^= 0xff;
    const f = await openHdf5File(bad);
    let message = "";
    try {
      (f.get("/g") as Hdf5Group).attributes();
    } catch (e) {
      message = isCodecError(e) ? `${e.code} ${e.message}` : String(e);
    }
    expect(message).toMatch(/^CORRUPT .*fractal heap direct block checksum mismatch/);
  });
});

describe.runIf(hasH5py)("region references across a re-encode", () => {
  it("are stored as new heap objects naming the dataset's new address, selection kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hdf5-regions-"));
    const script = [
      "import h5py, numpy as np",
      `for lv, name in (("earliest", "r.h5"), ("latest", "rl.h5")):`,
      `    with h5py.File(${JSON.stringify(dir)} + "/" + name, "w", libver=lv) as f:`,
      `        f["pad"] = np.arange(5)`,
      `        t = f.create_dataset("t", data=np.arange(20, dtype="f4").reshape(4, 5))`,
      `        rr = f.create_dataset("rr", shape=(3,), dtype=h5py.regionref_dtype)`,
      "        rr[0] = t.regionref[1:3, 2:4]",
      "        rr[2] = t.regionref[0, :]",
      `        t.attrs["one"] = t.regionref[3, 4]`,
    ].join("\n");
    execFileSync(PY, ["-c", script]);
    const sources = [new Uint8Array(readFileSync(join(dir, "r.h5"))), new Uint8Array(readFileSync(join(dir, "rl.h5")))];
    rmSync(dir, { recursive: true, force: true });
    for (const src of sources) {
      const before = await openHdf5File(src);
      const rawRegion = (f: typeof before, i: number): Uint8Array => {
        const raw = (f.get("/rr") as Hdf5Dataset).readRaw();
        const v = new DataView(raw.buffer, raw.byteOffset + i * 12, 12);
        return f.heap.globalObject(Number(v.getBigUint64(0, true)), v.getUint32(8, true));
      };
      const copy = await openHdf5File(await reencodeHdf5(src));
      const t = copy.get("/t") as Hdf5Dataset;
      const values = (copy.get("/rr") as Hdf5Dataset).values() as Array<{ region: number } | null>;
      expect(values.map((v) => (v === null ? null : copy.pathOfAddress(v.region)))).toEqual(["/t", null, "/t"]);
      for (const i of [0, 2]) {
        // The heap object: the dataset's (new) address, then the selection bytes unchanged.
        const a = rawRegion(before, i);
        const b = rawRegion(copy, i);
        expect(Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true))).toBe(t.address);
        expect(Array.from(b.subarray(8))).toEqual(Array.from(a.subarray(8)));
      }
      const one = t.attribute("one") as { value: { region: number } } | undefined;
      expect(one).toBeDefined();
      expect(copy.pathOfAddress(one ? one.value.region : -1)).toBe("/t");
    }
  });
});
