import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanTorch } from "../src/index.js";
import { fixture, fixtureDir, handZip } from "./helpers.js";

const expected = JSON.parse(readFileSync(join(fixtureDir, "expected.json"), "utf8")) as Record<string, { kind: string; scan?: string }>;

describe("codec scan on torch files", () => {
  for (const file of Object.keys(expected).filter((f) => expected[f].kind !== "sharded")) {
    const want = expected[file].scan ?? (expected[file].kind === "torchscript" ? undefined : "safe");
    it(`${file}: verdict ${want ?? "(TorchScript: not dangerous)"}`, async () => {
      const r = await scanTorch(fixture(file));
      expect(r.globals.length).toBeGreaterThan(0);
      if (want !== undefined) expect([file, r.verdict]).toEqual([file, want]);
      else expect(r.verdict).not.toBe("dangerous");
      const names = r.globals.map((g) => `${g.module}.${g.name}`);
      if (expected[file].kind !== "torchscript" && expected[file].kind !== "legacy-tar") expect(names.some((n) => n.startsWith("torch._utils._rebuild_tensor"))).toBe(true);
    });
  }

  it("the whole-module save names its unknown class", async () => {
    const r = await scanTorch(fixture("whole_module.pt"));
    const main = r.globals.find((g) => g.module === "__main__" && g.name === "Small");
    expect(main?.risk).toBe("suspicious");
  });

  it("a data.pkl that calls os.system is dangerous", async () => {
    // PROTO 2, GLOBAL os system, (X'id' TUPLE1 REDUCE STOP
    const enc = new TextEncoder();
    const pkl = new Uint8Array([0x80, 0x02, ...enc.encode("cos\nsystem\n"), 0x58, 2, 0, 0, 0, ...enc.encode("id"), 0x85, 0x52, 0x2e]);
    const r = await scanTorch(handZip(pkl, {}));
    expect(r.verdict).toBe("dangerous");
  });
});
