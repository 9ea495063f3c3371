import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { openHdf5File } from "../../src/read/index.js";
import { fixedStrings, Hdf5Writer } from "../../src/write/index.js";
import { describeDense } from "./dense-structures.js";

/**
 * Dense attribute storage of the libver="latest" profile against objects
 * libhdf5 wrote (tools/fixtures/hdf5/make_dense_attr_refs.py): fractal heap
 * header fields, direct blocks (attribute messages byte for byte), root
 * indirect block slots and the name index B-tree (records = heap ID, flags,
 * creation order, name hash) must be the same, addresses and libhdf5's
 * free-space manager aside (attrs-big also has "huge" objects over 4096
 * bytes, indexed by a type 1 B-tree; attrs-indirect has child indirect
 * blocks below the root).
 */

const FIX = join(__dirname, "fixtures", "dense-attributes");
type Attr = [string, "i8" | "f8" | "i4[]" | "S", number | number[] | string[]];
const listed = (JSON.parse(readFileSync(join(FIX, "cases.json"), "utf8")) as { cases: Record<string, { on: string; attrs: Attr[] }> }).cases;
// make_dense_attr_refs.py's INDIRECT case (gzipped, not listed): ~1.4 MiB of attributes, so
// the heap's root indirect block gets child indirect blocks.
const indirect: Attr[] = Array.from({ length: 400 }, (_, i) => [`w${i}`, "i4[]", Array.from({ length: 100 + ((i * 397) % 900) }, (_, k) => k)]);
const cases: Record<string, { on: string; attrs: Attr[] }> = { ...listed, "attrs-indirect": { on: "/", attrs: indirect } };

function reference(name: string): Uint8Array {
  if (name.endsWith("-indirect")) return new Uint8Array(gunzipSync(readFileSync(join(FIX, `${name}.h5.gz`))));
  return new Uint8Array(readFileSync(join(FIX, `${name}.h5`)));
}

function ours(c: { on: string; attrs: Attr[] }): Uint8Array {
  const w = new Hdf5Writer({ profile: "latest" });
  if (c.on === "d") w.createDataset("d", new Tensor({ dtype: "int8", shape: [3], data: new Uint8Array([1, 2, 3]) }));
  for (const [name, kind, v] of c.attrs) {
    const value =
      kind === "i8"
        ? new Tensor({ dtype: "int64", shape: [], data: new Uint8Array(new BigInt64Array([BigInt(v as number)]).buffer) })
        : kind === "f8"
          ? (v as number)
          : kind === "i4[]"
            ? new Int32Array(v as number[])
            : fixedStrings(v as string[]);
    w.setAttribute(c.on, name, value);
  }
  return w.finish();
}

/** The attribute messages (v3) in a direct block, each as hex; walking stops at the block's free space. */
function payload(_off: number, bytes: Uint8Array, at: number): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  let p = at + 22;
  while (bytes[p] === 3 && p + 9 <= bytes.length) {
    const nameSize = view.getUint16(p + 2, true);
    const typeSize = view.getUint16(p + 4, true);
    const spaceSize = view.getUint16(p + 6, true);
    const t = p + 9 + nameSize;
    const sp = t + typeSize;
    const rank = bytes[sp + 1];
    let n = bytes[sp + 3] === 2 ? 0 : 1;
    for (let d = 0; d < rank; d++) n *= Number(view.getBigUint64(sp + 4 + 8 * d, true));
    const end = sp + spaceSize + n * view.getUint32(t + 4, true);
    out.push(Buffer.from(bytes.subarray(p, end)).toString("hex"));
    p = end;
  }
  return out;
}

describe("dense attribute storage matches libhdf5's", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: heap and name index as libhdf5 writes them`, () => {
      const a = describeDense(ours(c), payload);
      const b = describeDense(reference(name), payload);
      expect(a.heaps).toEqual(b.heaps);
      expect(a.trees).toEqual(b.trees);
      // Dense past 8 attributes, or for an attribute too big for a header message (attrs-64k).
      expect(a.heaps.length > 0).toBe(c.attrs.length > 8 || name === "attrs-64k");
    });

    it(`${name}: our reader reads every attribute`, async () => {
      const f = await openHdf5File(ours(c));
      const obj = c.on === "d" ? f.get("d") : f.root;
      const names = (obj?.attributes() ?? []).map((a) => a.name).sort();
      expect(names).toEqual(c.attrs.map((a) => a[0]).sort());
    });
  }
});
