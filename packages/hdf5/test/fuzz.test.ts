import { readFileSync } from "node:fs";
import { corpusPath, fuzzDecoder, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5FileSync } from "../src/index.js";

/** Open + walk + read every attribute and dataset: the whole read surface. */
function decodeAll(bytes: Uint8Array): void {
  const file = openHdf5FileSync(bytes, { maxReadBytes: 64 << 20 });
  for (const o of file.walk()) {
    o.attributes();
    if (o instanceof Hdf5Dataset) o.values();
  }
}

const SEEDS = [
  "h5py/vlen_string_dset.h5",
  "hdf5-json/dset_gzip.h5",
  "hdf5-json/compound.h5",
  "jhdf/test_file2.hdf5",
  "hdf5/tattr2.h5",
  // szip chunks, a virtual dataset mapping block, a metadata cache image, VAX floats
  "hdf5/h5repack_szip.h5",
  "hdf5/1_vds.h5",
  "hdf5/h5clear_mdc_image.h5",
  "hdf5/tvms.h5",
];

describe.runIf(hasCorpus("hdf5"))("hdf5 fuzz (DESIGN.md section 7)", () => {
  it("mutated corpus files give values or CodecErrors, never hangs", async () => {
    const seeds = SEEDS.map((p) => {
      try {
        return new Uint8Array(readFileSync(corpusPath("hdf5", p)));
      } catch {
        return undefined;
      }
    }).filter((b): b is Uint8Array<ArrayBuffer> => b !== undefined);
    expect(seeds.length).toBeGreaterThan(2);
    const report = await fuzzDecoder(seeds, decodeAll, { iterations: 40, maxMsPerCase: 2000, seed: 5 });
    expect(report.cases).toBe(seeds.length * 40);
  }, 120_000);
});
