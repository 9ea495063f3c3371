import { readdirSync, readFileSync, statSync } from "node:fs";
import { isCodecError, Tensor } from "@codec/core";
import type { AttributeValue } from "../../src/model.js";
import { corpusPath, hasCorpus, repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { attributeToJson } from "../../src/read/tensor-map.js";
import { Hdf5Dataset, type Hdf5File, Hdf5Group, openHdf5File } from "../../src/read/file.js";
import { fixedStringType, intType } from "../../src/write/standard-types.js";
import { Hdf5Writer, reencodeHdf5 } from "../../src/write/index.js";

/**
 * reencodeHdf5 against the conformance corpus: every file our reader opens
 * is re-encoded and read back; both models must agree on the object tree,
 * attributes (datatype, dataspace, value), and datasets (datatype, shape,
 * chunk shape, filters, raw bytes or decoded values). Files holding what the
 * writer refuses (region references, committed types, exotic filters) must
 * fail with UNSUPPORTED, never silently lose data. Object references are
 * compared by the path they name.
 */

/**
 * Object references hold header addresses, which a re-encode moves: compare
 * them by the path they name (the first hard-link path), as libhdf5 resolves them.
 */
function named(f: Hdf5File, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => named(f, x));
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) return v;
  const rec = v as Record<string, unknown>;
  if (typeof rec.ref === "number") return { ref: f.pathOfAddress(rec.ref) ?? rec.ref };
  if (typeof rec.region === "number") return { region: f.pathOfAddress(rec.region) ?? rec.region };
  return Object.fromEntries(Object.entries(rec).map(([k, x]) => [k, named(f, x)]));
}

function describeFile(f: Hdf5File): unknown[] {
  const out: unknown[] = [];
  for (const o of f.walk()) {
    const attrs = o.attributes().map((a) => [a.name, JSON.stringify(a.type), a.space.kind, a.space.dims, attributeToJson(named(f, a.value) as AttributeValue)]);
    if (o instanceof Hdf5Dataset) {
      const refs = JSON.stringify(o.type).includes('"reference"');
      const vlen = JSON.stringify(o.type).includes('"vlen"') || refs;
      const layout = o.layout;
      out.push([
        o.path,
        JSON.stringify(o.type),
        o.shape,
        // Virtual datasets are materialised (stored contiguous), as h5repack does.
        layout.kind === "chunked" ? layout.chunkDims : layout.kind === "virtual" ? "contiguous" : layout.kind,
        o.filters.map((x) => [x.id, x.clientData]),
        // No fill value message at all means "undefined" to libhdf5 (H5D__open_oid).
        [o.fill?.defined ?? false, o.fill?.value ? Buffer.from(o.fill.value).toString("base64") : null],
        vlen ? JSON.stringify(o.values().map((v) => attributeToJson(named(f, v) as AttributeValue))) : Buffer.from(o.readRaw()).toString("base64"),
        attrs,
      ]);
    } else out.push([o.path, o.kind, attrs]);
  }
  return out;
}

const files: string[] = [];
if (hasCorpus("hdf5")) {
  for (const d of readdirSync(corpusPath("hdf5"))) {
    if (d.includes(".")) continue;
    // Files up to 96 KiB keep the run short; the interop suite covers every file.
    for (const f of readdirSync(corpusPath("hdf5", d))) {
      if (/\.(h5|hdf5|he5|nc)$/.test(f) && statSync(corpusPath("hdf5", d, f)).size <= 96 * 1024) files.push(`${d}/${f}`);
    }
  }
}

describe("reencodeHdf5", () => {
  it("round-trips a file we wrote", async () => {
    const w = new Hdf5Writer();
    w.createDataset("a/x", new Tensor({ dtype: "float64", shape: [3], data: new Uint8Array(new Float64Array([1, 2, 3]).buffer) }), {
      chunks: [2],
      compression: 5,
      shuffle: true,
      maxShape: [null],
    });
    w.createDataset("s", new Tensor({ dtype: "string", shape: [2], data: ["x", "yz"] }));
    w.setAttribute("a", "note", "héllo");
    const src = w.finish();
    const copy = await reencodeHdf5(src);
    expect(describeFile(await openHdf5File(copy))).toEqual(describeFile(await openHdf5File(src)));
  });

  it("keeps undefined, default and user fill values in both profiles", async () => {
    for (const profile of ["default", "latest"] as const) {
      const w = new Hdf5Writer({ profile });
      const t = () => new Tensor({ dtype: "int32", shape: [2], data: new Uint8Array(8) });
      w.createDataset("undef", t(), { fill: { allocTime: 2, fillTime: 2, defined: false, value: undefined } });
      w.createDataset("dflt", t());
      w.createDataset("user", t(), { fill: { allocTime: 2, fillTime: 2, defined: true, value: new Uint8Array([7, 0, 0, 0]) } });
      for (const bytes of [w.finish(), await reencodeHdf5(w.finish())]) {
        const f = await openHdf5File(bytes);
        const fill = (p: string) => (f.get(p) as Hdf5Dataset).fill;
        expect(fill("undef")).toMatchObject({ defined: false, value: undefined });
        expect(fill("dflt")).toMatchObject({ defined: true, value: undefined });
        expect(fill("user")?.defined).toBe(true);
        expect([...(fill("user")?.value ?? [])]).toEqual([7, 0, 0, 0]);
      }
    }
  });

  it("copies chunks of filters it cannot write (blosc, bzip2) in their stored form", async () => {
    for (const fixture of ["blosc/blosc_filter.h5", "bzip2/bzip2.h5"]) {
      const bytes = new Uint8Array(readFileSync(repoPath("packages/hdf5/test/fixtures", fixture)));
      const src = await openHdf5File(bytes);
      const copy = await openHdf5File(await reencodeHdf5(bytes));
      expect(describeFile(copy), fixture).toEqual(describeFile(src));
      let chunked = 0;
      for (const o of src.walk()) {
        if (!(o instanceof Hdf5Dataset) || o.layout.kind !== "chunked" || JSON.stringify(o.type).includes('"vlen"')) continue;
        const c = copy.get(o.path) as Hdf5Dataset;
        expect(c.filters, o.path).toEqual(o.filters);
        const a = o.storedChunks();
        const b = c.storedChunks();
        const first = o.shape.map(() => 0);
        if (a(first) === undefined) continue;
        expect(b(first), o.path).toEqual(a(first));
        chunked++;
      }
      expect(chunked, fixture).toBeGreaterThan(0);
    }
  });

  it("stores never-written chunks of a pipeline it cannot run unfiltered, marked skipped in the filter mask", async () => {
    const w = new Hdf5Writer();
    const blosc = { id: 32001, name: "blosc", optional: false, clientData: [2, 2, 4, 16, 5, 1, 1] };
    const data = new Uint8Array(new Int32Array([1, 2, 3, 4, 5, 6]).buffer);
    w.createDataset("x", { type: intType(4, true), space: [6], data }, {
      chunks: [4],
      filters: [blosc],
      storedChunk: () => undefined,
    });
    const f = await openHdf5File(w.finish());
    const d = f.get("x") as Hdf5Dataset;
    expect(d.filters.map((x) => x.id)).toEqual([32001]);
    expect(d.storedChunks()([0])?.filterMask).toBe(1);
    expect(Array.from(d.read().typed() as Int32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("copies fixed-size attribute values bit-exact: opaque, fixed strings, compounds", async () => {
    const w = new Hdf5Writer();
    w.createGroup("g");
    w.setAttribute("g", "op", { type: { class: "opaque", size: 3, tag: "" }, space: [], value: new Uint8Array([1, 2, 3]) });
    w.setAttribute("g", "s", { type: fixedStringType(4), space: [2], value: new Uint8Array([0x61, 0, 0, 0, 0x62, 0x63, 0x64, 0x65]) });
    const src = await w.finish();
    const copy = await openHdf5File(await reencodeHdf5(src));
    const g = copy.get("g");
    expect(g).toBeInstanceOf(Hdf5Group);
    const raw = (g as Hdf5Group).rawAttributes();
    expect(Array.from(raw.find((a) => a.name === "op")?.raw.subarray(0, 3) ?? [])).toEqual([1, 2, 3]);
    expect(Array.from(raw.find((a) => a.name === "s")?.raw.subarray(0, 8) ?? [])).toEqual([0x61, 0, 0, 0, 0x62, 0x63, 0x64, 0x65]);
  });

  it("re-encodes the corpus losslessly or refuses clearly", async () => {
    let ok = 0;
    let refused = 0;
    for (const name of files) {
      const bytes = new Uint8Array(readFileSync(corpusPath("hdf5", name)));
      let src: unknown[];
      try {
        src = describeFile(await openHdf5File(bytes));
      } catch {
        continue; // our reader cannot read it (corrupt test file, missing filter): not the writer's business
      }
      let copy: Uint8Array;
      try {
        copy = await reencodeHdf5(bytes);
      } catch (e) {
        expect(isCodecError(e), `${name}: ${String(e)}`).toBe(true);
        expect(["UNSUPPORTED", "LIMIT"], `${name}: ${String(e)}`).toContain((e as { code: string }).code);
        refused++;
        continue;
      }
      expect(describeFile(await openHdf5File(copy)), name).toEqual(src);
      ok++;
    }
    if (files.length > 0) expect(ok).toBeGreaterThan(100);
    console.log(`reencodeHdf5 corpus: ${ok} round-tripped, ${refused} refused as UNSUPPORTED`);
  });
});
