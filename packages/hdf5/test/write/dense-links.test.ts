import { readFileSync } from "node:fs";
import { join } from "node:path";
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
const cases = (JSON.parse(readFileSync(join(FIX, "cases.json"), "utf8")) as { cases: Record<string, string[]> }).cases;

function ours(links: readonly string[]): Uint8Array {
  const w = new Hdf5Writer({ profile: "latest" });
  for (const n of links) w.createGroup(n);
  return w.finish();
}

describe("dense link storage matches libhdf5's", () => {
  for (const [name, links] of Object.entries(cases)) {
    it(`${name}: heap and name index as libhdf5 writes them`, () => {
      const a = describeDense(ours(links), linkObjects);
      const b = describeDense(new Uint8Array(readFileSync(join(FIX, `${name}.h5`))), linkObjects);
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
