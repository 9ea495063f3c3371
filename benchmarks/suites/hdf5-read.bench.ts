import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileSource } from "@codec/core/node";
import { type Hdf5Dataset, Hdf5Group, openHdf5FileSync } from "@codec/hdf5";
import h5wasm from "h5wasm/node";
import { benchGroup } from "../harness.js";
import { scratchDir } from "../scratch.js";

/**
 * HDF5 read paths side by side with h5wasm (libhdf5 in WebAssembly) and
 * jsfive (pure JavaScript), inputs made by h5py in scratchDir():
 *  - a 256 MiB chunked deflate+shuffle float32 dataset: >= 1.5x faster than
 *    h5wasm, >= 10x faster than jsfive;
 *  - a 256 MiB contiguous dataset: within 1.1x of fs.readFileSync;
 *  - open a file with 10,000 datasets and list them: faster than both.
 */
const dir = scratchDir();
const chunkedPath = join(dir, "hdf5-256m-deflate-shuffle.h5");
const contigPath = join(dir, "hdf5-256m-contiguous.h5");
const manyPath = join(dir, "hdf5-10k-datasets.h5");
const PY = "/usr/bin/python3";

function make(path: string, body: string): void {
  if (existsSync(path)) return;
  execFileSync(PY, ["-c", `import h5py, numpy as np\nf = h5py.File(${JSON.stringify(path)}, "w")\n${body}\nf.close()`], { stdio: "inherit" });
}

interface JsfiveGroup {
  keys: string[];
  get(name: string): unknown;
}
interface JsfiveModule {
  File: new (buffer: ArrayBuffer, name: string) => JsfiveGroup;
}
// jsfive ships no type declarations; a computed specifier keeps the import untyped.
const jsfiveName = "jsfive";
const jsfive = (await import(jsfiveName)) as JsfiveModule;

async function main(): Promise<void> {
  const n = (256 * 1024 * 1024) / 4;
  // Smooth data so deflate has something to do, like real weights.
  const data = `x = (np.sin(np.arange(${n}, dtype=np.float64) / 1000) * 1000).astype("<f4")`;
  make(chunkedPath, `${data}\nf.create_dataset("x", data=x, chunks=(1 << 20,), compression="gzip", shuffle=True)`);
  make(contigPath, `${data}\nf.create_dataset("x", data=x)`);
  make(manyPath, `for i in range(10000):\n    f.create_dataset(f"g{i // 100}/d{i}", data=np.arange(4, dtype="f4"))`);
  await h5wasm.ready;

  const oursRead = (path: string) => () => {
    const f = openHdf5FileSync(new FileSource(path));
    const t = (f.get("x") as Hdf5Dataset).read();
    void f.close();
    return t.byteLength;
  };
  const h5wasmRead = (path: string) => () => {
    const f = new h5wasm.File(path, "r");
    const v = (f.get("x") as { value: unknown }).value;
    f.close();
    return v;
  };
  const jsfiveRead = (path: string) => () => {
    const buf = readFileSync(path);
    const f = new jsfive.File(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), path);
    return (f.get("x") as { value: unknown }).value;
  };

  const oursReadAsync = (path: string) => async () => {
    const f = openHdf5FileSync(new FileSource(path));
    const t = await (f.get("x") as Hdf5Dataset).readAsync();
    await f.close();
    return t.byteLength;
  };

  await benchGroup(
    "hdf5 read 256 MiB chunked deflate+shuffle float32",
    "open + read the whole dataset (h5py file, 4 MiB chunks, gzip level 4 + shuffle)",
    [
      { name: "@codec/hdf5", role: "ours", run: oursRead(chunkedPath) },
      { name: "@codec/hdf5 readAsync (worker inflate)", role: "ours", run: oursReadAsync(chunkedPath) },
      { name: "h5wasm", role: "peer", run: h5wasmRead(chunkedPath) },
      { name: "jsfive", role: "peer", run: jsfiveRead(chunkedPath) },
    ],
    [
      { case: "@codec/hdf5", against: "h5wasm", maxRatio: 1 / 1.5, label: ">= 1.5x faster than h5wasm" },
      { case: "@codec/hdf5 readAsync (worker inflate)", against: "h5wasm", maxRatio: 1 / 1.5, label: ">= 1.5x faster than h5wasm (parallel)" },
      { case: "@codec/hdf5", against: "jsfive", maxRatio: 1 / 10, label: ">= 10x faster than jsfive" },
    ],
    { rounds: 3, warmup: 1, budgetMs: 240_000 },
  );

  await benchGroup(
    "hdf5 read 256 MiB contiguous float32",
    "open + read the whole dataset",
    [
      { name: "fs.readFileSync", role: "floor", run: () => readFileSync(contigPath).length },
      { name: "@codec/hdf5", role: "ours", run: oursRead(contigPath) },
      { name: "h5wasm", role: "peer", run: h5wasmRead(contigPath) },
      { name: "jsfive", role: "peer", run: jsfiveRead(contigPath) },
    ],
    [{ case: "@codec/hdf5", against: "fs.readFileSync", maxRatio: 1.1, label: "within 1.1x of fs.readFileSync" }],
    { rounds: 15, warmup: 3, budgetMs: 120_000 },
  );

  await benchGroup(
    "hdf5 open + list 10,000 datasets",
    "open the file and list every dataset path",
    [
      {
        name: "@codec/hdf5",
        role: "ours",
        run: () => {
          const f = openHdf5FileSync(new FileSource(manyPath));
          const names = f.datasetPaths();
          void f.close();
          return names.length;
        },
      },
      {
        name: "@codec/hdf5 names only",
        role: "reference",
        run: () => {
          // What the peers below do: list link names, without reading each object's header.
          const f = openHdf5FileSync(new FileSource(manyPath));
          let count = 0;
          for (const l of f.root.links()) {
            const g = f.root.get(l.name);
            if (g instanceof Hdf5Group) count += g.links().length;
          }
          void f.close();
          return count;
        },
      },
      {
        name: "h5wasm",
        role: "peer",
        run: () => {
          const f = new h5wasm.File(manyPath, "r");
          let count = 0;
          for (const g of f.keys()) count += (f.get(g) as { keys(): string[] }).keys().length;
          f.close();
          return count;
        },
      },
      {
        name: "jsfive",
        role: "peer",
        run: () => {
          const buf = readFileSync(manyPath);
          const f = new jsfive.File(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), manyPath);
          let count = 0;
          for (const g of f.keys) count += (f.get(g) as { keys: string[] }).keys.length;
          return count;
        },
      },
    ],
    [
      { case: "@codec/hdf5", against: "h5wasm", maxRatio: 1, label: "faster than h5wasm" },
      { case: "@codec/hdf5", against: "jsfive", maxRatio: 1, label: "faster than jsfive" },
    ],
    { rounds: 5, warmup: 1, budgetMs: 120_000 },
  );
}

await main();
