import { join } from "node:path";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { run, tmp } from "./run-cli.js";

const views = repoPath("packages/torch-zip/test/fixtures/views.pt");

describe("convert torch -> safetensors", () => {
  it("writes each shared storage view once, like the safetensors conversion tools", async () => {
    const out = join(tmp(), "views.safetensors");
    const conv = await run(["convert", views, out]);
    expect(conv.stderr).toBe("");
    expect(conv.status).toBe(0);
    const before = JSON.parse((await run(["inspect", views, "--json", "--digest"])).stdout);
    const after = JSON.parse((await run(["inspect", out, "--json", "--digest"])).stdout);
    const names = after.tensors.map((t: { name: string }) => t.name);
    // `alias` is the same view of the same storage as `base`; `tied.head.weight` of `tied.embed.weight`.
    expect(names).not.toContain("alias");
    expect(names).not.toContain("tied.head.weight");
    expect(names).toContain("base");
    expect(names).toContain("tied.embed.weight");
    // Every other tensor (other views of shared storages included) is carried with the same bytes.
    const digest = new Map(before.tensors.map((t: { name: string; sha256: string }) => [t.name, t.sha256]));
    for (const t of after.tensors) expect(t.sha256).toBe(digest.get(t.name));
    expect(names.length).toBe(before.tensors.length - 2);
  });
});
