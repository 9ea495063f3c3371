import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { bzip2Decompress, lz4DecompressFrame, zstdDecompress } from "@codec/core";
import { benchGroup } from "../harness.js";
import { scratchDir } from "../scratch.js";

/**
 * @codec/core's pure-TypeScript decompressors side by side with the npm
 * pure-JavaScript peers (fzstd, lz4js, seek-bzip) on one 48 MiB input made
 * of what model files hold (float32 weights, int64 indices, JSON text),
 * compressed by the reference C libraries through Python (python3-zstandard
 * level 3, python3-lz4 frames, bz2 level 9). Target: at least as fast as
 * each peer. The reference libraries' own decode time (in-process, median
 * of 5) is printed for scale.
 */
const dir = scratchDir();
const PY = "/usr/bin/python3";
const raw = join(dir, "compress-48m.bin");
const files = { zstd: `${raw}.zst`, lz4: `${raw}.lz4`, bzip2: `${raw}.bz2` };

const GEN = `
import bz2, json, sys, numpy as np, zstandard, lz4.frame
rng = np.random.default_rng(0)
w = (rng.normal(size=6 << 20) * 0.02).astype("<f4").tobytes()          # 24 MiB of weights
idx = np.sort(rng.integers(0, 1 << 20, size=2 << 20)).astype("<i8").tobytes()  # 16 MiB of indices
text = json.dumps([{"layer": i, "name": "block%d.attn.weight" % i, "shape": [768, 768]} for i in range(120000)]).encode()[: 8 << 20]
data = w + idx + text
open(sys.argv[1], "wb").write(data)
open(sys.argv[1] + ".zst", "wb").write(zstandard.ZstdCompressor(level=3, write_checksum=True).compress(data))
open(sys.argv[1] + ".lz4", "wb").write(lz4.frame.compress(data))
open(sys.argv[1] + ".bz2", "wb").write(bz2.compress(data, 9))
`;
if (!existsSync(files.bzip2)) execFileSync(PY, ["-c", GEN, raw], { stdio: "inherit" });

const REFERENCE = `
import bz2, sys, time, zstandard, lz4.frame
def med(f, path):
    b = open(path, "rb").read()
    ts = []
    for _ in range(5):
        t0 = time.perf_counter(); f(b); ts.append(time.perf_counter() - t0)
    ts.sort(); return ts[2] * 1000
p = sys.argv[1]
print(med(lambda b: zstandard.ZstdDecompressor().decompress(b), p + ".zst"), med(lz4.frame.decompress, p + ".lz4"), med(bz2.decompress, p + ".bz2"))
`;

const require = createRequire(import.meta.url);
const fzstd = require("fzstd") as { decompress(b: Uint8Array): Uint8Array };
const lz4js = require("lz4js") as { decompress(b: Uint8Array): Uint8Array };
const seekBzip = require("seek-bzip") as { decode(b: Buffer): Buffer };

const size = readFileSync(raw).length;
const limit = size + 1024;
const input = (path: string) => new Uint8Array(readFileSync(path));
const zst = input(files.zstd);
const lz4 = input(files.lz4);
const bz2 = input(files.bzip2);
const bz2Buffer = Buffer.from(bz2);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

const [pyZstd, pyLz4, pyBz2] = execFileSync(PY, ["-c", REFERENCE, raw], { encoding: "utf8" }).trim().split(/\s+/).map(Number);

await benchGroup(
  "zstd decompress",
  `${mib(zst.length)} -> ${mib(size)} (level 3, with checksum); libzstd via python3-zstandard: ${pyZstd.toFixed(0)} ms`,
  [
    { name: "zstdDecompress", role: "ours", run: () => zstdDecompress(zst, limit).length },
    { name: "fzstd", role: "peer", run: () => fzstd.decompress(zst).length },
  ],
  [{ case: "zstdDecompress", against: "fzstd", maxRatio: 1, label: "zstd: at least as fast as fzstd" }],
  { rounds: 5 },
);

await benchGroup(
  "lz4 frame decompress",
  `${mib(lz4.length)} -> ${mib(size)}; liblz4 via python3-lz4: ${pyLz4.toFixed(0)} ms`,
  [
    { name: "lz4DecompressFrame", role: "ours", run: () => lz4DecompressFrame(lz4, limit).length },
    { name: "lz4js", role: "peer", run: () => lz4js.decompress(lz4).length },
  ],
  [{ case: "lz4DecompressFrame", against: "lz4js", maxRatio: 1, label: "lz4: at least as fast as lz4js" }],
  { rounds: 5 },
);

await benchGroup(
  "bzip2 decompress",
  `${mib(bz2.length)} -> ${mib(size)} (level 9); libbz2 via Python's bz2: ${pyBz2.toFixed(0)} ms`,
  [
    { name: "bzip2Decompress", role: "ours", run: () => bzip2Decompress(bz2, limit).length },
    { name: "seek-bzip", role: "peer", run: () => seekBzip.decode(bz2Buffer).length },
  ],
  [{ case: "bzip2Decompress", against: "seek-bzip", maxRatio: 1, label: "bzip2: at least as fast as seek-bzip" }],
  { rounds: 3 },
);
