import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJoblib, encodeJoblib, pickle, unpickle } from "@codec/pickle";
import { repoPath } from "@codec/testing";
import { main } from "@codec/cli";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Our encoder -> CPython. Every golden fixture (made by tools/fixtures/pickle/
 * make_fixtures.py with CPython, numpy, scikit-learn and joblib) is decoded
 * and re-encoded with protocols 2-5; /usr/bin/python3 loads our file and
 * compares it with its own load of the fixture: equal values, and for the
 * scikit-learn estimators the same predict()/transform() output on the
 * fixture input. Python only ever loads our files and the fixtures.
 */
const fixtures = repoPath("packages", "pickle", "test", "fixtures");
const dir = mkdtempSync(join(tmpdir(), "codec-pickle-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHECK = `
import sys, json, pickle, io, warnings
import numpy as np, joblib
warnings.filterwarnings("ignore")

def eq(a, b, seen):
    if id(a) in seen: return True
    seen.add(id(a))
    if type(a) is not type(b): return False
    if isinstance(a, np.ndarray):
        if a.dtype.str[1:] != b.dtype.str[1:] or a.shape != b.shape: return False
        if a.dtype.hasobject: return all(eq(x, y, seen) for x, y in zip(a.ravel(), b.ravel()))
        if a.dtype.names: return a.tobytes() == b.astype(a.dtype).tobytes()
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, float) and a != a: return b != b
    if isinstance(a, (list, tuple)): return len(a) == len(b) and all(eq(x, y, seen) for x, y in zip(a, b))
    if isinstance(a, dict): return list(a.keys()) == list(b.keys()) and all(eq(a[k], b[k], seen) for k in a)
    if isinstance(a, (int, str, bytes, float, complex, type(None), set, frozenset, bytearray, np.generic)): return bool(a == b)
    if hasattr(a, "__dict__"): return eq(a.__dict__, b.__dict__, seen)
    try:
        return eq(tuple(a.__reduce_ex__(2)[1:]), tuple(b.__reduce_ex__(2)[1:]), seen)
    except Exception:
        return a == b

fixtures, expected_path, ours_dir = sys.argv[1], sys.argv[2], sys.argv[3]
expected = json.load(open(expected_path))
X = np.load(fixtures + "/sklearn_input.npy")
report = {}
for name in sys.argv[4:]:
    src, ours = name.split("=")
    orig = joblib.load(fixtures + "/" + src) if src.endswith(".joblib") else pickle.load(open(fixtures + "/" + src, "rb"))
    path = ours_dir + "/" + ours
    got = joblib.load(path) if ours.endswith(".joblib") else pickle.load(open(path, "rb"))
    ok = eq(orig, got, set())
    info = expected["files"].get(src, {})
    if ok and "method" in info:
        out = getattr(got, info["method"])(X)
        ok = bool(np.allclose(np.asarray(out, dtype=float), np.asarray(info["output"], dtype=float), rtol=0, atol=1e-12))
    report[ours] = ok
print(json.dumps(report))
`;

function pythonCheck(pairs: string[]): Record<string, boolean> {
  const out = execFileSync("/usr/bin/python3", ["-c", CHECK, fixtures, join(fixtures, "expected.json"), dir, ...pairs], { encoding: "utf8", maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, boolean>;
}

// xz/lzma joblib files have no decoder here (UNSUPPORTED); bz2 and lz4 ones are read and re-encoded like the rest.
const names = readdirSync(fixtures).filter((n) => /\.(pkl|joblib)$/.test(n) && !/_(xz|lzma)\.joblib$/.test(n));

describe("pickle interop: CPython loads what we re-encode", () => {
  it("every fixture, protocols 2-5, loads equal (and sklearn predicts the same)", () => {
    const pairs: string[] = [];
    for (const n of names) {
      const bytes = new Uint8Array(readFileSync(join(fixtures, n)));
      const value = n.endsWith(".joblib") ? decodeJoblib(bytes).value : unpickle(bytes);
      for (const protocol of [2, 3, 4, 5] as const) {
        const out = `${n}.p${protocol}.pkl`;
        writeFileSync(join(dir, out), pickle(value, { protocol }));
        pairs.push(`${n}=${out}`);
      }
      if (n.endsWith(".joblib")) {
        // Re-encoded as joblib (zlib), read back with joblib.load.
        const out = `${n}.z.joblib`;
        writeFileSync(join(dir, out), encodeJoblib(value, { compression: "zlib" }));
        pairs.push(`${n}=${out}`);
      }
    }
    const report = pythonCheck(pairs);
    const failed = Object.entries(report).filter(([, ok]) => !ok).map(([k]) => k);
    console.log(`pickle interop: ${Object.keys(report).length - failed.length}/${pairs.length} re-encoded files load equal in CPython`);
    expect(Object.keys(report)).toHaveLength(pairs.length);
    expect(failed).toEqual([]);
  });

  it("codec convert: pkl -> pkl, joblib -> joblib, pkl -> safetensors -> pkl", async () => {
    const run = async (...args: string[]) => {
      const code = await main(args);
      expect(code, args.join(" ")).toBe(0);
    };
    await run("convert", join(fixtures, "sk_random_forest.pkl"), join(dir, "cli_rf.pkl"));
    await run("convert", join(fixtures, "joblib_rf_gzip.joblib"), join(dir, "cli_rf.joblib"));
    await run("convert", join(fixtures, "sk_mlp.pkl"), join(dir, "cli_mlp.safetensors"));
    await run("convert", join(dir, "cli_mlp.safetensors"), join(dir, "cli_mlp_tensors.pkl"));
    const report = pythonCheck(["sk_random_forest.pkl=cli_rf.pkl", "joblib_rf_gzip.joblib=cli_rf.joblib"]);
    expect(report).toEqual({ "cli_rf.pkl": true, "cli_rf.joblib": true });
    // The safetensors -> pkl file is a dict of numpy arrays named by the walk.
    const check = `
import pickle, json, sys, hashlib, numpy as np
d = pickle.load(open(sys.argv[1], "rb"))
exp = json.load(open(sys.argv[2]))["files"]["sk_mlp.pkl"]["tensors"]
def digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()
print(json.dumps(sorted(d) == sorted(exp) and all(isinstance(d[k], np.ndarray) and digest(d[k]) == exp[k]["sha256"] for k in d)))
`;
    const ok = execFileSync("/usr/bin/python3", ["-c", check, join(dir, "cli_mlp_tensors.pkl"), join(fixtures, "expected.json")], { encoding: "utf8" }).trim();
    expect(ok).toBe("true");
  });
});
