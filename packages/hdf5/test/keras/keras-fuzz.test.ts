import { readFileSync } from "node:fs";
import { join } from "node:path";
import { corpusPath, fuzzDecoder, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { openKeras } from "../../src/keras/index.js";

/** DESIGN.md section 7 for the Keras layer: mutated Keras files give a value or a CodecError. */
describe("openKeras on mutated files", () => {
  it("never throws anything but a CodecError", async () => {
    const seeds = [readFileSync(join(__dirname, "fixtures", "sequential.keras")), readFileSync(join(__dirname, "fixtures", "split_attrs.h5"))].map(
      (b) => new Uint8Array(b),
    );
    if (hasCorpus("hdf5/keras")) seeds.push(new Uint8Array(readFileSync(corpusPath("hdf5", "keras", "DDQN__weights.h5"))));
    const report = await fuzzDecoder(
      seeds,
      async (bytes) => {
        const m = await openKeras(bytes);
        for (const n of m.names()) await m.get(n);
      },
      { iterations: 60, seed: 3 },
    );
    expect(report.cases).toBe(seeds.length * 60);
    expect(report.codecErrors + report.ok).toBe(report.cases);
  });
});
