/** datasetPaths() takes its own fast traversal: it must list exactly what walk() visits. */
import { readFileSync } from "node:fs";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5FileSync } from "../src/index.js";

const FILES = ["hdf5/tattr2.h5", "jhdf/test_file2.hdf5", "hdf5/tlinks.h5", "hdf5-json/compound.h5", "hdf5/h5clear_mdc_image.h5", "hdf5/1_vds.h5"];

describe.runIf(hasCorpus("hdf5"))("hdf5 datasetPaths", () => {
  it("lists the datasets walk() visits, in the same order", () => {
    let checked = 0;
    for (const f of FILES) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(corpusPath("hdf5", f)));
      } catch {
        continue;
      }
      const file = openHdf5FileSync(bytes);
      const walked: string[] = [];
      for (const o of file.walk()) if (o instanceof Hdf5Dataset) walked.push(o.path.slice(1));
      expect(file.datasetPaths(), f).toEqual(walked);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});
