import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isCodecError } from "@codec/core";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { openTorch } from "../src/index.js";

const dir = repoPath("packages/torch-zip/test/fixtures");
interface Expected {
  kind: string;
  tensors: Array<{ name: string; dtype: string; shape: number[]; sha256: string }>;
  unsupported?: string[];
  scan?: string;
}
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<string, Expected>;
const files = Object.keys(expected).filter((f) => expected[f].kind !== "sharded");

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("torch fixtures made by torch 1.13", () => {
  for (const file of files) {
    it(`${file}: names, dtypes, shapes and digests`, async () => {
      const e = expected[file];
      const t = await openTorch(readFileSync(join(dir, file)));
      expect(t.kind).toBe(e.kind);
      const names = t.names().filter((n) => !(e.unsupported ?? []).includes(n));
      expect(names).toEqual(e.tensors.map((x) => x.name));
      for (const x of e.tensors) {
        const info = t.info(x.name);
        expect([x.name, info.dtype, info.shape]).toEqual([x.name, x.dtype, x.shape]);
        const tensor = await t.get(x.name);
        expect([x.name, sha(tensor.bytes())]).toEqual([x.name, x.sha256]);
      }
      for (const u of e.unsupported ?? []) {
        const err = await t.get(u).catch((err: unknown) => err);
        expect(isCodecError(err) && err.code).toBe("UNSUPPORTED");
        expect(String(err)).toContain("_rebuild_qtensor");
      }
    });
  }
});
