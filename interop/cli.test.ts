import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * End to end: the built `codec` binary (tools/cli/bin/codec.mjs -> dist)
 * run as a child process, with NumPy (/usr/bin/python3) checking the files
 * it writes. Builds the CLI and its dependencies first when dist is missing.
 */
const root = join(import.meta.dirname, "..");
const bin = join(root, "tools", "cli", "bin", "codec.mjs");
const samples = join(root, "tools", "cli", "demo", "samples");
const dir = mkdtempSync(join(tmpdir(), "codec-cli-interop-"));

function codec(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function python(script: string, ...args: string[]): string {
  return execFileSync("/usr/bin/python3", ["-c", script, ...args], { encoding: "utf8" }).trim();
}

// Reads a safetensors file by its spec (u64 LE header length, JSON, LE data) into numpy arrays.
const READ_SAFETENSORS = `
import json, struct, numpy as np
def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    kinds = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "BOOL": "|b1", "U8": "|u1"}
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(data[a:b], dtype=kinds[v["dtype"]]).reshape(v["shape"])
    return out, header.get("__metadata__")
`;

beforeAll(() => {
  if (!existsSync(join(root, "tools", "cli", "dist", "index.js"))) {
    execFileSync("npx", ["turbo", "run", "build", "--filter=@codec/cli..."], { cwd: root, stdio: "ignore" });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the built codec binary", () => {
  it("prints usage with --help and exits 0", () => {
    const r = codec("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: codec/);
  });

  it("exit statuses: 2 for usage errors, 1 for failures, one stderr line, no stack", () => {
    for (const [args, status] of [
      [["run", "m.onnx"], 2],
      [["inspect"], 2],
      [["convert", join(samples, "image.npy"), join(dir, "x.unknown")], 2],
      [["inspect", join(dir, "missing.npy")], 1],
      [["convert", join(samples, "arrays.npz"), join(dir, "one.npy")], 1],
    ] as const) {
      const r = codec(...args);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(status);
      expect(r.stderr).toMatch(/^codec: [^\n]+\n$/);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
  });

  it("inspect --json --digest agrees with numpy's bytes", () => {
    const doc = JSON.parse(codec("inspect", join(samples, "arrays.npz"), "--json", "--digest").stdout);
    expect(doc.format).toBe("npz");
    const digests = JSON.parse(
      python(
        "import sys, json, hashlib, numpy as np\nz = np.load(sys.argv[1])\nprint(json.dumps({k: hashlib.sha256(np.ascontiguousarray(z[k]).tobytes()).hexdigest() for k in z.files}))",
        join(samples, "arrays.npz"),
      ),
    );
    for (const t of doc.tensors) expect(t.sha256).toBe(digests[t.name]);
  });

  it("safetensors -> npz: numpy.load reads every tensor value for value", () => {
    const out = join(dir, "mlp.npz");
    expect(codec("convert", join(samples, "mlp.safetensors"), out).status).toBe(0);
    const result = python(
      `${READ_SAFETENSORS}
import sys
want, _ = read_safetensors(sys.argv[1])
got = np.load(sys.argv[2])
assert sorted(got.files) == sorted(want), (got.files, list(want))
for k, v in want.items():
    assert got[k].dtype == v.dtype and got[k].shape == v.shape and np.array_equal(got[k], v), k
print("ok")`,
      join(samples, "mlp.safetensors"),
      out,
    );
    expect(result).toBe("ok");
  });

  it("npy/npz -> safetensors: the spec-level reader sees numpy's arrays and the metadata", () => {
    const a = join(dir, "image.safetensors");
    const b = join(dir, "arrays.safetensors");
    const c = join(dir, "mlp2.safetensors");
    expect(codec("convert", join(samples, "image.npy"), a).status).toBe(0);
    expect(codec("convert", join(samples, "arrays.npz"), b).status).toBe(0);
    expect(codec("convert", join(samples, "mlp.safetensors"), c).status).toBe(0);
    const result = python(
      `${READ_SAFETENSORS}
import sys
got, meta = read_safetensors(sys.argv[1])
assert list(got) == ["array"] and np.array_equal(got["array"], np.load(sys.argv[2])) and meta is None
got, _ = read_safetensors(sys.argv[3])
z = np.load(sys.argv[4])
assert sorted(got) == sorted(z.files)
for k in z.files:
    assert got[k].dtype == z[k].dtype and np.array_equal(got[k], z[k]), k
_, meta = read_safetensors(sys.argv[5])
assert meta == {"format": "pt", "source": "codec demo"}, meta
print("ok")`,
      a,
      join(samples, "image.npy"),
      b,
      join(samples, "arrays.npz"),
      c,
    );
    expect(result).toBe("ok");
  });

  it("scan --json on pickle-free formats: safe, exit 0", () => {
    const r = codec("scan", join(samples, "mlp.safetensors"), "--json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: "safe", globals: [] });
  });

  it("prints nothing on stderr when piped (no progress)", () => {
    const r = codec("inspect", join(samples, "mlp.safetensors"), "--digest");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
});
