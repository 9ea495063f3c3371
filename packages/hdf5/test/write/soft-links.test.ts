import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5File } from "../../src/read/index.js";
import { Hdf5Writer, reencodeHdf5 } from "../../src/write/index.js";

/**
 * Soft links in both profiles: symbol table entries with cache type 2 and
 * the path in the local heap (default), link messages of type 1 (latest),
 * compact and in dense storage (more than 8 links).
 */

const f32 = (v: number[]) => new Tensor({ dtype: "float32", shape: [v.length], data: new Uint8Array(new Float32Array(v).buffer) });

function build(profile: "default" | "latest", many: boolean): Uint8Array {
  const w = new Hdf5Writer({ profile });
  w.createDataset("data/x", f32([1, 2, 3]));
  w.createSoftLink("alias", "/data/x");
  w.createSoftLink("data/relative", "x");
  w.createSoftLink("dangling", "/nowhere/at/all");
  w.createSoftLink("deep/link/to/group", "/data");
  if (many) for (let i = 0; i < 12; i++) w.createSoftLink(`many/s${i}`, "/data/x");
  return w.finish();
}

describe("soft links written by Hdf5Writer", () => {
  for (const profile of ["default", "latest"] as const) {
    for (const many of [false, true]) {
      it(`${profile} profile${many ? ", dense group" : ""}: listed as soft links and followed on get`, async () => {
        const f = await openHdf5File(build(profile, many));
        const root = Object.fromEntries(f.root.links().map((l) => [l.name, l]));
        expect(root.alias).toEqual({ kind: "soft", name: "alias", target: "/data/x" });
        expect(root.dangling).toEqual({ kind: "soft", name: "dangling", target: "/nowhere/at/all" });
        expect(((await f.get("alias")) as Hdf5Dataset).read().byteLength).toBe(12);
        expect(f.get("data/relative")).toBeInstanceOf(Hdf5Dataset);
        expect(f.get("dangling")).toBeUndefined();
        expect(f.get("deep/link/to/group/x")).toBeInstanceOf(Hdf5Dataset);
        // Soft links are not datasets of their own.
        expect(f.datasetPaths()).toEqual(["data/x"]);
        if (many) {
          const g = f.get("many");
          expect(g && "links" in g ? g.links().filter((l) => l.kind === "soft").length : 0).toBe(12);
        }
      });
    }
  }

  it("re-encoding keeps soft links, dangling ones included", async () => {
    for (const profile of ["default", "latest"] as const) {
      const again = await openHdf5File(await reencodeHdf5(build(profile, true)));
      const links = again.root.links().filter((l) => l.kind === "soft");
      expect(links.map((l) => l.name).sort()).toEqual(["alias", "dangling"]);
      expect(again.get("data/relative")).toBeInstanceOf(Hdf5Dataset);
    }
  });

  it("refuses a link over an existing name, an empty target, and a path through a soft link", () => {
    const w = new Hdf5Writer();
    w.createSoftLink("a", "/b");
    expect(() => w.createSoftLink("a", "/c")).toThrow(/already exists/);
    expect(() => w.createSoftLink("e", "")).toThrow(/empty soft link target/);
    expect(() => w.createGroup("a/b")).toThrow(/soft link, not a group/);
    expect(w.has("a")).toBe(false);
  });
});
