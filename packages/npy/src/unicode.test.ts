import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { readNpyPrelude } from "./header.js";
import { encodeNpyStrings } from "./unicode.js";

describe("encodeNpyStrings", () => {
  it("writes '<U{longest}' items of UTF-32LE code points, NUL-padded", () => {
    const bytes = encodeNpyStrings(new Tensor({ dtype: "string", shape: [3], data: ["cat", "ü", "𝄞x"] }));
    const { headerStart, dataOffset } = readNpyPrelude(bytes);
    // (parseNpyHeader refuses unicode dtypes for reading: they hold no tensor.)
    const header = new TextDecoder("latin1").decode(bytes.subarray(headerStart, dataOffset));
    expect(header.startsWith("{'descr': '<U3', 'fortran_order': False, 'shape': (3,), }")).toBe(true);
    expect(dataOffset % 64).toBe(0);
    const body = new DataView(bytes.buffer, dataOffset);
    const item = (i: number) => Array.from({ length: 3 }, (_, j) => body.getUint32((i * 3 + j) * 4, true));
    expect(item(0)).toEqual([0x63, 0x61, 0x74]);
    expect(item(1)).toEqual([0xfc, 0, 0]);
    expect(item(2)).toEqual([0x1d11e, 0x78, 0]);
    expect(bytes.length).toBe(dataOffset + 36);
  });

  it("numpy reads it back equal (2-D, empty strings)", () => {
    if (!existsSync("/usr/bin/python3")) return;
    const dir = mkdtempSync(join(tmpdir(), "npy-u-"));
    try {
      const path = join(dir, "s.npy");
      writeFileSync(path, encodeNpyStrings(new Tensor({ dtype: "string", shape: [2, 2], data: ["a", "", "日本", "x y"] })));
      let out: string;
      try {
        out = execFileSync("/usr/bin/python3", ["-c", "import numpy as np,sys,json;a=np.load(sys.argv[1]);print(json.dumps([a.dtype.str,a.tolist()]))", path], { encoding: "utf8" });
      } catch {
        return; // no numpy here: the byte-level test above stands
      }
      expect(JSON.parse(out)).toEqual(["<U3", [["a", ""], ["日本", "x y"]]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
