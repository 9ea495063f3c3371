import { join } from "node:path";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { run, tmp } from "./run-cli.js";

interface Listing {
  format: string;
  tensors: Array<{ name: string; dtype: string; shape: number[]; sha256?: string }>;
  metadata: Record<string, unknown>;
}

async function inspect(path: string): Promise<Listing> {
  const r = await run(["inspect", path, "--json", "--digest"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Listing;
}

const keras = corpusPath("hdf5", "keras", "lstm-multi__model.h5");
const complex = corpusPath("hdf5", "h5py", "compound-dtype-complex.h5");

describe.runIf(hasCorpus("hdf5"))("hdf5 and keras through the CLI", () => {
  it("reports HDF5 files with Keras attributes as keras, others as hdf5", async () => {
    const k = await inspect(keras);
    expect(k.format).toBe("keras");
    expect(k.tensors.map((t) => t.name)).toContain("model_weights/lstm_1/lstm_1/kernel:0");
    const h = await inspect(complex);
    expect(h.format).toBe("hdf5");
    expect(h.tensors.find((t) => t.name === "<c8")?.dtype).toBe("complex64");
  });

  it("re-encodes HDF5 losslessly and carries tensors to safetensors and back", async () => {
    const dir = tmp();
    const same = join(dir, "same.h5");
    const st = join(dir, "model.safetensors");
    const back = join(dir, "back.h5");
    expect((await run(["convert", keras, same])).status).toBe(0);
    expect((await run(["convert", keras, st])).status).toBe(0);
    expect((await run(["convert", st, back])).status).toBe(0);
    const original = await inspect(keras);
    const digests = (l: Listing) => Object.fromEntries(l.tensors.map((t) => [t.name, t.sha256]));
    expect(digests(await inspect(same))).toEqual(digests(original));
    expect((await inspect(same)).format).toBe("keras");
    const viaSafetensors = await inspect(st);
    expect(viaSafetensors.format).toBe("safetensors");
    expect(digests(viaSafetensors)).toEqual(digests(original));
    expect(digests(await inspect(back))).toEqual(digests(original));
  });

  it("scans HDF5 as safe (no pickles)", async () => {
    const r = await run(["scan", complex, "--json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe("safe");
  });

  it("refuses to write a .keras archive from another format, with one clear line", async () => {
    const dir = tmp();
    const st = join(dir, "m.safetensors");
    expect((await run(["convert", keras, st])).status).toBe(0);
    const r = await run(["convert", st, join(dir, "m.keras")]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^codec: /);
  });
});
