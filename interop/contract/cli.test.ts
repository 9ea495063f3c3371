import { execFile, execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PYTHON, ROOT, type Run, codec, ensureBuilt, errorLineProblems, firstLine } from "./harness.js";

/**
 * CLI-level contract (DESIGN.md section 6): usage errors exit 2, failed
 * operations exit 1, each with one `codec: ` line on stderr and no stack
 * trace; `pnpm exec codec` works from the repository root.
 */
const dir = mkdtempSync(join(tmpdir(), "codec-contract-cli-"));
const npz = join(dir, "a.npz");
const st = join(dir, "a.safetensors");

beforeAll(() => {
  ensureBuilt();
  execFileSync(PYTHON, [
    "-c",
    "import sys, numpy as np; np.savez(sys.argv[1], w=np.arange(6, dtype=np.float32).reshape(2, 3))",
    npz,
  ]);
  // A minimal spec-following safetensors file: u64 header length, JSON, data.
  const header = Buffer.from(JSON.stringify({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }).padEnd(48, " "));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(st, Buffer.concat([len, header, Buffer.from(new Float32Array([1, 2]).buffer)]));
  writeFileSync(join(dir, "garbage.bin"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)));
  writeFileSync(join(dir, "empty.safetensors"), Buffer.alloc(0));
  writeFileSync(join(dir, "text.txt"), "hello, this is not a model\n");
  mkdirSync(join(dir, "adir"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pnpmExec(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile("pnpm", ["exec", "codec", ...args], { cwd: ROOT, encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe("usage errors exit 2 with one 'codec: ' line", () => {
  const cases: [string, () => string[]][] = [
    ["no arguments", () => []],
    ["unknown command", () => ["frobnicate"]],
    ["inspect without FILE", () => ["inspect"]],
    ["inspect with two files", () => ["inspect", npz, st]],
    ["inspect with an unknown flag", () => ["inspect", npz, "--bogus"]],
    ["convert with one argument", () => ["convert", npz]],
    ["convert with three arguments", () => ["convert", npz, join(dir, "o.safetensors"), join(dir, "p.safetensors")]],
    ["convert to an unknown extension", () => ["convert", npz, join(dir, "out.unknownext")]],
    ["scan without FILE", () => ["scan"]],
    ["scan with an unknown flag", () => ["scan", npz, "--digest"]],
  ];
  for (const [label, args] of cases) {
    it(label, async () => {
      const r = await codec(args());
      expect(errorLineProblems(`codec ${args().map((a) => a.split("/").pop()).join(" ")}`, r, 2)).toEqual([]);
    });
  }
});

describe("failed operations exit 1 with one 'codec: ' line", () => {
  const cases: [string, () => string[]][] = [
    ["inspect a missing file", () => ["inspect", join(dir, "missing.npz"), "--json"]],
    ["inspect a directory", () => ["inspect", join(dir, "adir"), "--json"]],
    ["inspect garbage bytes", () => ["inspect", join(dir, "garbage.bin"), "--json"]],
    ["inspect an empty file", () => ["inspect", join(dir, "empty.safetensors"), "--json"]],
    ["inspect a text file", () => ["inspect", join(dir, "text.txt")]],
    ["convert garbage", () => ["convert", join(dir, "garbage.bin"), join(dir, "g.safetensors")]],
    ["convert a missing file", () => ["convert", join(dir, "missing.npz"), join(dir, "m.safetensors")]],
    ["convert into a missing directory", () => ["convert", npz, join(dir, "no", "such", "dir", "o.safetensors")]],
    ["scan garbage bytes", () => ["scan", join(dir, "garbage.bin")]],
    ["scan a missing file", () => ["scan", join(dir, "missing.pkl")]],
  ];
  for (const [label, args] of cases) {
    it(label, async () => {
      const r = await codec(args());
      expect(errorLineProblems(`codec ${args().map((a) => a.split("/").pop()).join(" ")}`, r, 1)).toEqual([]);
    });
  }
});

describe("pnpm exec codec from the repository root (section 6)", () => {
  it("pnpm exec codec inspect FILE --json --digest prints one JSON document", async () => {
    const r = await pnpmExec(["inspect", st, "--json", "--digest"]);
    expect(r.status, firstLine(r.stderr)).toBe(0);
    const doc = JSON.parse(r.stdout) as { format: string; tensors: { name: string; dtype: string; shape: number[]; sha256: string }[] };
    expect(doc.format).toBe("safetensors");
    expect(doc.tensors).toEqual([
      {
        name: "w",
        dtype: "float32",
        shape: [2],
        // sha256 of float32 [1, 2] little-endian, as hashlib computes it
        sha256: execFileSync(PYTHON, ["-c", "import hashlib, numpy as np; print(hashlib.sha256(np.array([1, 2], '<f4').tobytes()).hexdigest())"], {
          encoding: "utf8",
        }).trim(),
      },
    ]);
  });

  it("pnpm exec codec --help exits 0 and names the commands", async () => {
    const r = await pnpmExec(["--help"]);
    expect(r.status).toBe(0);
    for (const c of ["inspect", "convert", "scan"]) expect(r.stdout).toContain(c);
  });

  it("inspect without --json prints a table with name, dtype, shape", async () => {
    const r = await codec(["inspect", npz]);
    expect(r.status, firstLine(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/\bw\b/);
    expect(r.stdout).toMatch(/float32/);
    expect(r.stdout).toMatch(/2\s*[x×,]\s*3|\[2, ?3\]|\(2, ?3\)/);
  });

  it("--debug keeps exit 1 and the codec: line", async () => {
    const r = await codec(["inspect", join(dir, "garbage.bin"), "--debug"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^codec: /);
  });
});

describe("headers only without --digest: files over 2 GiB inspect fast (section 3, section 6)", () => {
  // Sparse files: the data region is a hole, so nothing big touches the disk.
  const GIB3 = 3 * 1024 * 1024 * 1024;
  function sparse(path: string, head: Buffer, total: number): void {
    const fd = openSync(path, "w");
    writeSync(fd, head, 0, head.length, 0);
    ftruncateSync(fd, total);
    closeSync(fd);
  }

  it("a 3 GiB safetensors file", async () => {
    const n = GIB3 / 4;
    const header = Buffer.from(JSON.stringify({ big: { dtype: "F32", shape: [n / 1024, 1024], data_offsets: [0, GIB3] } }).padEnd(88, " "));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const path = join(dir, "big.safetensors");
    sparse(path, Buffer.concat([len, header]), 8 + header.length + GIB3);
    const t0 = Date.now();
    const r = await codec(["inspect", path, "--json"]);
    const ms = Date.now() - t0;
    expect(r.status, firstLine(r.stderr)).toBe(0);
    expect(JSON.parse(r.stdout).tensors).toEqual([{ name: "big", dtype: "float32", shape: [n / 1024, 1024] }]);
    expect(ms, "inspect of a 3 GiB safetensors took too long for a header-only read").toBeLessThan(5000);
  });

  it("a 3 GiB .npy file", async () => {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (786432, 1024), }";
    header = header.padEnd(128 - 10 - 1, " ") + "\n";
    const head = Buffer.concat([Buffer.from([0x93]), Buffer.from("NUMPY"), Buffer.from([1, 0]), Buffer.from([header.length & 0xff, header.length >> 8]), Buffer.from(header)]);
    const path = join(dir, "big.npy");
    sparse(path, head, head.length + GIB3);
    const t0 = Date.now();
    const r = await codec(["inspect", path, "--json"]);
    const ms = Date.now() - t0;
    expect(r.status, firstLine(r.stderr)).toBe(0);
    const doc = JSON.parse(r.stdout) as { tensors: { dtype: string; shape: number[] }[] };
    expect(doc.tensors.map((t) => [t.dtype, t.shape])).toEqual([["float32", [786432, 1024]]]);
    expect(ms, "inspect of a 3 GiB .npy took too long for a header-only read").toBeLessThan(5000);
  });
});

describe("flag placement", () => {
  it("codec inspect --json --digest FILE (flags before the file)", async () => {
    const r = await codec(["inspect", "--json", "--digest", st]);
    expect(r.status, firstLine(r.stderr)).toBe(0);
    expect(JSON.parse(r.stdout).format).toBe("safetensors");
  });
  it("scan of a format without pickles is safe with no globals", async () => {
    const r = await codec(["scan", st, "--json"]);
    expect(r.status, firstLine(r.stderr)).toBe(0);
    const doc = JSON.parse(r.stdout) as { verdict: string; globals: unknown[] };
    expect([doc.verdict, doc.globals]).toEqual(["safe", []]);
  });
});
