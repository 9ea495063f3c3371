import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { openHdf5File } from "../../src/read/index.js";
import { Hdf5Writer } from "../../src/write/index.js";
import { describeDense, linkObjects } from "./dense-structures.js";

/**
 * Dense link storage of the libver="latest" profile against groups libhdf5
 * wrote (tools/fixtures/hdf5/make_dense_refs.py): fractal heap header
 * fields, direct blocks with their link messages, root indirect block slots
 * and the name index B-tree (records = name hash + heap ID) must be the
 * same, addresses and libhdf5's free-space manager aside.
 */

const FIX = join(__dirname, "fixtures", "dense-links");
const listed = (JSON.parse(readFileSync(join(FIX, "cases.json"), "utf8")) as { cases: Record<string, string[]> }).cases;
// make_dense_refs.py's INDIRECT case (gzipped, not listed): 700 links of 8 to ~4,000 bytes, so the
// heap (~900 KiB) outgrows the root's direct rows and gets child indirect blocks.
const indirect = Array.from({ length: 700 }, (_, i) => `${String(i).padStart(5, "0")}_${"x".repeat([8, 40, 200, 900, 2500, 3900][(i * 7 + 3) % 6] + ((i * 13) % 50))}`);
const cases: Record<string, string[]> = { ...listed, "links-indirect": indirect };

function reference(name: string): Uint8Array {
  if (name.endsWith("-indirect")) return new Uint8Array(gunzipSync(readFileSync(join(FIX, `${name}.h5.gz`))));
  return new Uint8Array(readFileSync(join(FIX, `${name}.h5`)));
}

function ours(links: readonly string[]): Uint8Array {
  const w = new Hdf5Writer({ profile: "latest" });
  for (const n of links) w.createGroup(n);
  return w.finish();
}

describe("dense link storage matches libhdf5's", () => {
  for (const [name, links] of Object.entries(cases)) {
    it(`${name}: heap and name index as libhdf5 writes them`, () => {
      const a = describeDense(ours(links), linkObjects);
      const b = describeDense(reference(name), linkObjects);
      expect(a.heaps).toEqual(b.heaps);
      expect(a.trees).toEqual(b.trees);
      expect(a.heaps.length > 0).toBe(links.length > 8);
    });

    it(`${name}: our reader lists every link`, async () => {
      const f = await openHdf5File(ours(links));
      expect(f.root.links().map((l) => l.name).sort()).toEqual([...links].sort());
    });
  }
});
