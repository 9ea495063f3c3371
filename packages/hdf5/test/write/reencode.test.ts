import { readdirSync, readFileSync, statSync } from "node:fs";
import { isCodecError, Tensor } from "@codec/core";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { attributeToJson } from "../../src/read/tensor-map.js";
import { Hdf5Dataset, type Hdf5File, openHdf5File } from "../../src/read/file.js";
import { Hdf5Writer, reencodeHdf5 } from "../../src/write/index.js";

/**
 * reencodeHdf5 against the conformance corpus: every file our reader opens
 * is re-encoded and read back; both models must agree on the object tree,
 * attributes (datatype, dataspace, value), and datasets (datatype, shape,
 * chunk shape, filters, raw bytes or decoded values). Files holding what the
 * writer refuses (references, soft/external links, committed types, exotic
 * filters) must fail with UNSUPPORTED, never silently lose data.
 */

function describeFile(f: Hdf5File): unknown[] {
  const out: unknown[] = [];
  for (const o of f.walk()) {
    const attrs = o.attributes().map((a) => [a.name, JSON.stringify(a.type), a.space.kind, a.space.dims, attributeToJson(a.value)]);
    if (o instanceof Hdf5Dataset) {
      const vlen = JSON.stringify(o.type).includes('"vlen"');
      const layout = o.layout;
      out.push([
        o.path,
        JSON.stringify(o.type),
        o.shape,
        layout.kind === "chunked" ? layout.chunkDims : layout.kind,
        o.filters.map((x) => [x.id, x.clientData]),
        // No fill value message at all means "undefined" to libhdf5 (H5D__open_oid).
        [o.fill?.defined ?? false, o.fill?.value ? Buffer.from(o.fill.value).toString("base64") : null],
        vlen ? JSON.stringify(o.values().map((v) => attributeToJson(v))) : Buffer.from(o.readRaw()).toString("base64"),
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
