import { MemorySource } from "@codec/core";
import { describe, expect, it } from "vitest";
import { detectHdf5, detectHdf5InSource } from "./sniff.js";
import { SIGNATURE } from "./superblock.js";

function withSignatureAt(size: number, at: number): Uint8Array {
  const b = new Uint8Array(size);
  b.set(SIGNATURE, at);
  return b;
}

describe("detectHdf5InSource", () => {
  it("finds the signature behind user blocks past the sniffed head (h5py userblock_size=4096, 8192)", async () => {
    for (const at of [4096, 8192, 65536]) {
      const file = withSignatureAt(at + 1024, at);
      const head = file.subarray(0, 4096);
      expect(detectHdf5(head), `${at}`).toBe(0);
      expect(await detectHdf5InSource(head, new MemorySource(file)), `${at}`).toBe(2);
    }
  });

  it("agrees with detectHdf5 inside the head and rejects files without a signature at a power of two", async () => {
    const small = withSignatureAt(2048 + 64, 2048);
    expect(await detectHdf5InSource(small, new MemorySource(small))).toBe(2);
    const off = withSignatureAt(20000, 5000);
    expect(await detectHdf5InSource(off.subarray(0, 4096), new MemorySource(off))).toBe(0);
    const tiny = new Uint8Array(3);
    expect(await detectHdf5InSource(tiny, new MemorySource(tiny))).toBe(0);
  });
});
