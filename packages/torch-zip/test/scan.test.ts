import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanTorch } from "../src/index.js";
import { fixture, fixtureDir, handZip, rewriteZip } from "./helpers.js";

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

/** Patch the central-directory and local headers of one zip member (PKWARE APPNOTE 4.3.7, 4.3.12). */
function patchMember(zip: Uint8Array, member: RegExp, patch: (view: DataView, header: number, central: boolean) => void): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const text = new TextDecoder();
  let patched = 0;
  for (let i = 0; i + 46 <= out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x02014b50) {
      const nameLen = view.getUint16(i + 28, true);
      if (!member.test(text.decode(out.subarray(i + 46, i + 46 + nameLen)))) continue;
      patch(view, i, true);
      patch(view, view.getUint32(i + 42, true), false);
      patched++;
    }
  }
  expect(patched).toBeGreaterThan(0);
  return out;
}

describe("scanTorch on malformed zips still gives a verdict", () => {
  it("a CRC mismatch on data.pkl: raw bytes scanned, verdict not safe", async () => {
    const bad = patchMember(fixture("checkpoint_sgd.pt"), /data\.pkl$/, (v, h, central) => {
      const at = h + (central ? 16 : 14);
      v.setUint32(at, v.getUint32(at, true) ^ 0xffffffff, true);
    });
    const r = await scanTorch(bad);
    expect(r.verdict).toBe("suspicious");
    expect(r.findings.some((f) => f.kind === "malformed-member")).toBe(true);
    expect(r.globals.some((g) => g.name.startsWith("_rebuild_tensor"))).toBe(true);
  });

  it("a CRC mismatch on a deflated data.pkl: inflated from the raw bytes and scanned", async () => {
    const deflated = rewriteZip(fixture("checkpoint_sgd.pt"), (_n, d) => d, (n) => n.endsWith("data.pkl"));
    const bad = patchMember(deflated, /data\.pkl$/, (v, h, central) => v.setUint32(h + (central ? 16 : 14), 0, true));
    const r = await scanTorch(bad);
    expect(r.verdict).toBe("suspicious");
    expect(r.globals.some((g) => g.name.startsWith("_rebuild_tensor"))).toBe(true);
  });

  it("a stray encryption flag on data.pkl: verdict not safe", async () => {
    const bad = patchMember(fixture("checkpoint_sgd.pt"), /data\.pkl$/, (v, h, central) => {
      const at = h + (central ? 8 : 6);
      v.setUint16(at, v.getUint16(at, true) | 1, true);
    });
    const r = await scanTorch(bad);
    expect(r.verdict).not.toBe("safe");
    expect(r.findings.some((f) => f.kind === "malformed-member")).toBe(true);
  });

  it("os.system behind a CRC mismatch is still dangerous", async () => {
    const enc = new TextEncoder();
    const pkl = new Uint8Array([0x80, 0x02, ...enc.encode("cos\nsystem\n"), 0x58, 2, 0, 0, 0, ...enc.encode("id"), 0x85, 0x52, 0x2e]);
    const bad = patchMember(handZip(pkl, {}), /data\.pkl$/, (v, h, central) => v.setUint32(h + (central ? 16 : 14), 0, true));
    expect((await scanTorch(bad)).verdict).toBe("dangerous");
  });
});
