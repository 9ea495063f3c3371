import { describe, expect, it } from "vitest";
import { rng } from "@codec/testing";
import { type Bt2Node, buildBtreeV2 } from "../../src/write/btree-v2.js";

/**
 * The v2 B-tree builder replays libhdf5's insertion (pre-emptive splits,
 * 2- and 3-node redistribution). Key-order insertion is compared with
 * libhdf5's own trees in latest-indexes.test.ts; here any insertion order
 * (which exercises the middle-child 3-node redistribution) must give a valid
 * B-tree: keys in order, every node within its level's capacity, all
 * leaves at the same depth.
 */

function check(root: Bt2Node | null, depth: number, info: Array<{ maxNrec: number }>, n: number): void {
  const seen: number[] = [];
  const walk = (node: Bt2Node, level: number): void => {
    expect(node.recs.length).toBeLessThanOrEqual(info[level].maxNrec);
    if (node !== root) expect(node.recs.length).toBeGreaterThan(0);
    if (level === 0) {
      expect(node.kids).toBeNull();
      seen.push(...node.recs);
      return;
    }
    const kids = node.kids as Bt2Node[];
    expect(kids.length).toBe(node.recs.length + 1);
    kids.forEach((k, i) => {
      walk(k, level - 1);
      if (i < node.recs.length) seen.push(node.recs[i]);
    });
  };
  if (root) walk(root, depth);
  expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe("v2 B-tree builder", () => {
  for (const [n, recordSize] of [[0, 24], [1, 24], [84, 24], [85, 24], [6000, 24], [3000, 30], [20000, 40]] as const) {
    it(`${n} records of ${recordSize} bytes, key order and shuffled`, () => {
      const sorted = Array.from({ length: n }, (_, i) => i);
      const t = buildBtreeV2(2048, recordSize, sorted);
      check(t.root, t.depth, t.info, n);
      const r = rng(n + recordSize);
      const shuffled = [...sorted];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      const u = buildBtreeV2(2048, recordSize, shuffled);
      check(u.root, u.depth, u.info, n);
      const desc = buildBtreeV2(512, recordSize, [...sorted].reverse());
      check(desc.root, desc.depth, desc.info, n);
    });
  }
});
