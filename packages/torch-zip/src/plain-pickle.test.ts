import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isCodecError } from "@codec/core";
import { openPickle, pickle, unpickle } from "@codec/pickle";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { torchInPickle } from "./plain-pickle.js";

// plain_pickle_p{2,4}.pkl and plain_pickle.json (tools/fixtures/torch/make_plain_pickle.py, torch 1.13):
// pickle.dump of a dict of torch tensors (views, a Parameter, float16, sparse COO) and a numpy array.
const fixture = (name: string) => new Uint8Array(readFileSync(repoPath(`packages/torch-zip/test/fixtures/${name}`)));
const expected = JSON.parse(readFileSync(repoPath("packages/torch-zip/test/fixtures/plain_pickle.json"), "utf8")) as Record<
  string,
  { dtype: string; shape: number[]; sha256: string }
>;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("torch tensors in plain pickles (torch.storage._load_from_bytes)", () => {
  for (const protocol of [2, 4]) {
    it(`protocol ${protocol}: lists and reads them like a checkpoint's, beside numpy arrays`, async () => {
      const map = await openPickle(fixture(`plain_pickle_p${protocol}.pkl`), undefined, torchInPickle());
      expect(map.names()).toEqual(["w", "t", "row", "param", "i64", "half", "sparse.indices", "sparse.values", "np"]);
      for (const [name, e] of Object.entries(expected)) {
        expect(map.info(name)).toEqual({ name, dtype: e.dtype, shape: e.shape });
        expect(sha((await map.get(name)).bytes())).toBe(e.sha256);
      }
    });
  }

  it("without the torch rules only the numpy array is a tensor, and the graph re-pickles to the same value", async () => {
    const bytes = fixture("plain_pickle_p4.pkl");
    expect((await openPickle(bytes)).names()).toEqual(["np"]);
    const again = await openPickle(pickle(unpickle(bytes), { protocol: 4 }), undefined, torchInPickle());
    expect(sha((await again.get("t")).bytes())).toBe(expected.t.sha256);
  });

  it("a corrupt nested storage file is a CodecError, not a crash", async () => {
    const bytes = fixture("plain_pickle_p4.pkl");
    // Cut the first nested file's magic number: the payload starts right after "_load_from_bytes" + its BINBYTES header.
    const text = Buffer.from(bytes).toString("latin1");
    const at = text.indexOf("\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.");
    expect(at).toBeGreaterThan(0);
    const bad = bytes.slice();
    bad[at + 3] ^= 0xff;
    const err = await openPickle(bad, undefined, torchInPickle()).catch((e: unknown) => e);
    expect(isCodecError(err)).toBe(true);
  });
});
