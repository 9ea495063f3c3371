import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemorySource, ZipWriter, openZip } from "@codec/core";
import { repoPath } from "@codec/testing";
import { afterAll, describe, expect, it } from "vitest";

/** Our ZipWriter's output read by Python's zipfile and by torch.load. */

const dir = mkdtempSync(join(tmpdir(), "codec-core-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = (script: string, ...args: string[]) => execFileSync("/usr/bin/python3", ["-c", script, ...args], { encoding: "utf8" });
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

const LIST = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    out = {"bad": bad, "entries": [], "zip64": False}
    for zi in z.infolist():
        data = z.read(zi)
        out["entries"].append({"name": zi.filename, "size": zi.file_size, "method": zi.compress_type,
                               "sha256": hashlib.sha256(data).hexdigest(), "offset": zi.header_offset})
# ZIP64 end records are present when the locator signature precedes the EOCD.
raw = open(sys.argv[1], "rb").read()
out["zip64"] = raw[-42:-38] == b"PK\\x06\\x07"
print(json.dumps(out))
`;

function members(): [string, Uint8Array, { align?: number; compress?: boolean }][] {
  const big = new Uint8Array(200000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
  return [
    ["plain.txt", new TextEncoder().encode("hello from @codec/core"), {}],
    ["deflated.bin", big, { compress: true }],
    ["archive/data/0", big.subarray(0, 1000), { align: 64 }],
    ["archive/data/1", big.subarray(5, 12), { align: 64 }],
    ["empty", new Uint8Array(0), {}],
    ["empty-deflated", new Uint8Array(0), { compress: true }],
    ["dir/", new Uint8Array(0), {}],
    ["ünïcödé/名前 ✓.txt", new TextEncoder().encode("unicode"), { compress: true }],
  ];
}

describe("Python's zipfile reads archives written by ZipWriter", () => {
  for (const forceZip64 of [false, true]) {
    it(`stored, deflated, aligned, empty and unicode entries${forceZip64 ? " with forced ZIP64 records" : ""}`, () => {
      const w = new ZipWriter({ forceZip64 });
      const list = members();
      for (const [name, data, opts] of list) w.add(name, data, opts);
      const path = join(dir, `ours${forceZip64 ? "64" : ""}.zip`);
      writeFileSync(path, w.finish());
      const got = JSON.parse(python(LIST, path)) as {
        bad: string | null;
        zip64: boolean;
        entries: { name: string; size: number; method: number; sha256: string }[];
      };
      expect(got.bad).toBeNull();
      expect(got.zip64).toBe(forceZip64);
      expect(got.entries.map((e) => e.name)).toEqual(list.map((m) => m[0]));
      for (let i = 0; i < list.length; i++) {
        const [, data, opts] = list[i];
        expect(got.entries[i].size).toBe(data.length);
        expect(got.entries[i].method).toBe(opts.compress ? 8 : 0);
        expect(got.entries[i].sha256).toBe(sha256(data));
      }
    });
  }

  it("more than 65535 entries: automatic ZIP64 end records", () => {
    const w = new ZipWriter();
    const n = 0x10000 + 5;
    for (let i = 0; i < n; i++) w.add(`e/${i}`, new Uint8Array([i & 0xff]));
    const path = join(dir, "many.zip");
    writeFileSync(path, w.finish());
    const got = python(
      "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nnames = z.namelist()\nprint(len(names), names[-1], z.read(names[-1])[0])",
      path,
    ).trim();
    expect(got).toBe(`${n} e/${n - 1} ${(n - 1) & 0xff}`);
  });

  it("a streamed archive (sink) is identical and readable", () => {
    const chunks: Uint8Array[] = [];
    const w = new ZipWriter({ sink: (c) => chunks.push(c) });
    for (const [name, data, opts] of members()) w.add(name, data, opts);
    w.finish();
    const path = join(dir, "streamed.zip");
    writeFileSync(path, Buffer.concat(chunks));
    expect((JSON.parse(python(LIST, path)) as { bad: string | null }).bad).toBeNull();
  });
});

describe("torch.load reads a PyTorch archive re-written by ZipWriter", () => {
  it("round-trips a torch.save state dict member by member with 64-byte alignment", async () => {
    const src = readFileSync(repoPath("packages/core/test/fixtures/zips/torch_state_dict.pt"));
    const zip = await openZip(new MemorySource(src));
    const w = new ZipWriter();
    for (const e of zip.entries) w.add(e.name, await zip.read(e), { align: 64 });
    const path = join(dir, "rewritten.pt");
    writeFileSync(path, w.finish());
    const check = `
import sys, torch
a = torch.load(sys.argv[1]); b = torch.load(sys.argv[2])
assert list(a) == list(b), (list(a), list(b))
for k in a:
    assert a[k].dtype == b[k].dtype and torch.equal(a[k], b[k]), k
print("ok", len(a))
`;
    expect(python(check, repoPath("packages/core/test/fixtures/zips/torch_state_dict.pt"), path).trim()).toBe("ok 5");
  });
});
