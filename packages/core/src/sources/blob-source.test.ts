import { describe, expect, it } from "vitest";
import { isCodecError } from "../errors.js";
import { BlobSource } from "./blob-source.js";

describe("BlobSource", () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);

  it("reads slices of a Blob and a File", async () => {
    const blob = new BlobSource(new Blob([bytes.subarray(0, 100), bytes.subarray(100)]));
    expect(blob.byteLength).toBe(300);
    expect(await blob.read(95, 10)).toEqual(bytes.subarray(95, 105));
    expect((await blob.read(300, 0)).length).toBe(0);
    const file = new BlobSource(new File([bytes], "weights.safetensors"));
    expect(file.name).toBe("weights.safetensors");
    expect(new BlobSource(new Blob([bytes]), "label").name).toBe("label");
    expect(await file.read(0, 300)).toEqual(bytes);
  });

  it("rejects ranges outside the blob with a CodecError", async () => {
    const src = new BlobSource(new Blob([bytes]));
    for (const [o, n, code] of [
      [299, 2, "TRUNCATED"],
      [-1, 1, "CORRUPT"],
      [Number.NaN, 1, "CORRUPT"],
    ] as const) {
      const err = await src.read(o, n).catch((e: unknown) => e);
      expect(isCodecError(err) && err.code).toBe(code);
    }
  });
});
