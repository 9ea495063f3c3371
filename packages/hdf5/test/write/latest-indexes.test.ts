import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { openHdf5 } from "../../src/index.js";
import { Hdf5Writer } from "../../src/write/index.js";
import { describeIndex } from "./index-structures.js";

/**
 * The libver="latest" chunk indexes against files libhdf5 wrote
 * (tools/fixtures/hdf5/make_latest_index_refs.py): every header field and
 * block of the extensible array / version 2 B-tree must match libhdf5's,
 * addresses aside; and our reader must read the files we write back.
 */

const FIX = join(__dirname, "fixtures", "latest-index");
interface Case {
  name: string;
  shape: number[];
  chunks: number[];
  maxshape: Array<number | null>;
  gzip: boolean;
}
const cases = (JSON.parse(readFileSync(join(FIX, "cases.json"), "utf8")) as { cases: Case[] }).cases;

function arange(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor({ dtype: "int32", shape, data: new Uint8Array(new Int32Array(n).map((_, i) => i).buffer) });
}

function records(blocks: readonly string[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    const m = /\[(.*)\]/.exec(b);
    if (m && !b.startsWith("  ")) out.push(...m[1].split(","));
  }
  return out.sort();
}

function ours(c: Case): Uint8Array {
  const w = new Hdf5Writer({ profile: "latest" });
  w.createDataset("d", arange(c.shape), { chunks: c.chunks, maxShape: c.maxshape, ...(c.gzip ? { compression: "gzip", level: 4 } : {}) });
  return w.finish();
}

describe("libver=latest chunk indexes match libhdf5's", () => {
  for (const c of cases) {
    it(`${c.name}: same index structures as libhdf5`, () => {
      const ref = new Uint8Array(readFileSync(join(FIX, `${c.name}.h5`)));
      const mine = ours(c);
      const a = describeIndex(mine, c.gzip, c.shape.length);
      const b = describeIndex(ref, c.gzip, c.shape.length);
      expect(a?.kind).toBe(b?.kind);
      expect(a?.header).toBe(b?.header);
      expect(a?.blocks).toEqual(b?.blocks);
      expect(records(a?.blocks ?? [])).toEqual(records(b?.blocks ?? []));
      // Every chunk is indexed (stored sizes differ: node's zlib and libhdf5's emit different deflate streams).
      expect(Object.keys(a?.sizes ?? {}).sort()).toEqual(Object.keys(b?.sizes ?? {}).sort());
    });

    it(`${c.name}: our reader reads our file back`, async () => {
      const f = await openHdf5(ours(c));
      const t = await f.get("d");
      expect(t.shape).toEqual(c.shape);
      expect(new Int32Array(t.bytes().slice().buffer)).toEqual(new Int32Array(arange(c.shape).bytes().slice().buffer));
    });
  }
});

describe("paged extensible array data blocks", () => {
  it("a 135256-chunk dataset (data blocks past 131060 elements are paged) reads back; the last data block has an unwritten page", async () => {
    const c: Case = { name: "paged", shape: [135256], chunks: [1], maxshape: [null], gzip: false };
    const bytes = ours(c);
    const d = describeIndex(bytes, false, 1);
    expect(d?.blocks.filter((b) => b.startsWith("sblock")).some((b) => /bitmap=[0-9a-f]*[1-9a-f]/.test(b))).toBe(true);
    expect(d?.blocks.some((b) => b.includes("page-U"))).toBe(true);
    const t = await (await openHdf5(bytes)).get("d");
    expect(new Int32Array(t.bytes().slice().buffer)).toEqual(new Int32Array(arange(c.shape).bytes().slice().buffer));
  });
});
