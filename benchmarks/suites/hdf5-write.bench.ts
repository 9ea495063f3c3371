import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { type DeflateFn, fflateDeflate, Hdf5Writer } from "@codec/hdf5";
import h5wasm from "h5wasm";
import { benchGroup } from "../harness.js";
import { scratchDir } from "../scratch.js";

/**
 * HDF5 writing, 256 MiB of float32 weights (16 datasets of 1024 x 4096):
 *  - contiguous: our writer streaming to a file vs h5wasm (libhdf5 in wasm,
 *    file in its in-memory FS, then written out) vs the floor
 *    fs.writeFileSync of the same bytes;
 *  - chunked (64 x 4096 = 1 MiB chunks) + deflate level 4, same three.
 * The data is smooth (a quantised sine per row), so deflate has work to do
 * without being trivial. Our default deflate in Node is node:zlib; the
 * fflate case is the path browsers take.
 */

const MiB = 1024 * 1024;
const dir = scratchDir();
const ours = join(dir, "hdf5-write-ours.h5");
const peer = join(dir, "hdf5-write-h5wasm.h5");
const floor = join(dir, "hdf5-write-floor.h5");
const ROWS = 1024;
const COLS = 4096;
const COUNT = 16;

function makeData(): Float32Array[] {
  const out: Float32Array[] = [];
  for (let t = 0; t < COUNT; t++) {
    const a = new Float32Array(ROWS * COLS);
    for (let r = 0; r < ROWS; r++) {
      const phase = (r * 0.37 + t) % 6.283;
      for (let c = 0; c < COLS; c++) a[r * COLS + c] = Math.round(Math.sin(c * 0.01 + phase) * 1024) / 1024;
    }
    out.push(a);
  }
  return out;
}


function writeOurs(data: Float32Array[], chunked: boolean, deflate?: DeflateFn): Promise<number> {
  const w = new Hdf5Writer({ deflate });
  data.forEach((a, i) => {
    const t = new Tensor({ dtype: "float32", shape: [ROWS, COLS], data: new Uint8Array(a.buffer) });
    w.createDataset(`layers/${i}/kernel`, t, chunked ? { chunks: [64, COLS], compression: "gzip", level: 4 } : {});
  });
  const fd = openSync(ours, "w");
  return w
    .writeTo((b) => {
      writeSync(fd, b);
    })
    .finally(() => closeSync(fd));
}

async function writeH5wasm(data: Float32Array[], chunked: boolean): Promise<number> {
  const { FS } = await h5wasm.ready;
  const f = new h5wasm.File("bench.h5", "w");
  f.create_group("layers");
  data.forEach((a, i) => {
    f.create_group(`layers/${i}`);
    f.create_dataset({
      name: `layers/${i}/kernel`,
      data: a,
      shape: [ROWS, COLS],
      ...(chunked ? { chunks: [64, COLS], compression: 4 } : {}),
    });
  });
  f.close();
  const bytes = (FS as NonNullable<typeof FS>).readFile("bench.h5");
  (FS as NonNullable<typeof FS>).unlink("bench.h5");
  writeFileSync(peer, bytes);
  return bytes.length;
}

async function main(): Promise<void> {
  const data = makeData();
  for (const chunked of [false, true]) {
    await writeOurs(data, chunked);
    const sameBytes = new Uint8Array(readFileSync(ours));
    const label = chunked ? "chunked + deflate 4" : "contiguous";
    await benchGroup(
      `hdf5 write 256 MiB ${label}`,
      `16 float32 datasets of ${ROWS}x${COLS} (${(COUNT * ROWS * COLS * 4) / MiB} MiB)${chunked ? ", 1 MiB chunks, gzip level 4" : ""}; our file is ${(sameBytes.length / MiB).toFixed(1)} MiB`,
      [
        { name: "fs.writeFileSync same bytes", role: "floor", run: () => writeFileSync(floor, sameBytes) },
        { name: "Hdf5Writer.writeTo file", role: "ours", run: () => writeOurs(data, chunked) },
        { name: "h5wasm (MEMFS) + writeFileSync", role: "peer", run: () => writeH5wasm(data, chunked) },
        ...(chunked
          ? [{ name: "Hdf5Writer.writeTo file, fflate deflate", role: "ours" as const, run: () => writeOurs(data, chunked, fflateDeflate) }]
          : []),
      ],
      [
        { case: "Hdf5Writer.writeTo file", against: "fs.writeFileSync same bytes", maxRatio: chunked ? 2000 : 1.5, label: `ours / floor (${label})` },
        { case: "Hdf5Writer.writeTo file", against: "h5wasm (MEMFS) + writeFileSync", maxRatio: 1.0, label: `ours / h5wasm (${label})` },
        ...(chunked
          ? [
              {
                case: "Hdf5Writer.writeTo file, fflate deflate",
                against: "h5wasm (MEMFS) + writeFileSync",
                maxRatio: 2.5,
                label: "ours forced to fflate (browser path) / h5wasm (chunked + deflate 4)",
              },
            ]
          : []),
      ],
      { rounds: chunked ? 3 : 7, warmup: 1, budgetMs: 240_000 },
    );
  }
  for (const p of [ours, peer, floor]) rmSync(p, { force: true });
}

await main();
