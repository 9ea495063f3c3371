import { join } from "node:path";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { run, tmp } from "./run-cli.js";

const views = repoPath("packages/torch-zip/test/fixtures/views.pt");

describe("convert torch -> safetensors", () => {
  it("carries every listed tensor, views of one storage and tied weights included, each with its own bytes", async () => {
    const out = join(tmp(), "views.safetensors");
    const conv = await run(["convert", views, out]);
    expect(conv.stderr).toBe("");
    expect(conv.status).toBe(0);
    const before = JSON.parse((await run(["inspect", views, "--json", "--digest"])).stdout);
    const after = JSON.parse((await run(["inspect", out, "--json", "--digest"])).stdout);
    const listed = (doc: { tensors: { name: string; dtype: string; shape: number[]; sha256: string }[] }) =>
      doc.tensors.map((t) => [t.name, t.dtype, t.shape, t.sha256]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    // `alias` is the same view of the same storage as `base`, `tied.head.weight` of `tied.embed.weight`:
    // DESIGN.md section 6 carries the tensors, so each name is written (safetensors cannot share bytes).
    expect(listed(after)).toEqual(listed(before));
    expect(after.tensors.map((t: { name: string }) => t.name)).toContain("tied.head.weight");
  });
});
