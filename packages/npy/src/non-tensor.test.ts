import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { openNpy } from "./npy.js";

/** A .npy as numpy.save writes it (version 1.0), with a hand-written header dict. */
function npyFile(dict: string, data: Uint8Array): Uint8Array {
  // Padded with spaces so that the data starts 64-byte aligned, newline last (numpy.lib.format).
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  const body = new TextEncoder().encode(`${dict}${" ".repeat(pad)}\n`);
  const out = new Uint8Array(10 + body.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, body.length, true);
  out.set(body, 10);
  out.set(data, 10 + body.length);
  return out;
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isCodecError(e), String(e)).toBe(true);
    return (e as { code: string }).code;
  }
  return "resolved";
}

describe("openNpy allowNonTensor (records, strings, datetimes are valid .npy files without a tensor)", () => {
  const records = npyFile("{'descr': [('a', '<i4'), ('b', '>f8')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(12));
  const unicode = npyFile("{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16));
  const dates = npyFile("{'descr': '<M8[D]', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
  const objects = npyFile("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array([0x80, 0x03, 0x4e, 0x2e]));

  it("lists no tensor and says why in metadata", async () => {
    for (const file of [records, unicode, dates]) {
      const map = await openNpy(file, { allowNonTensor: true });
      expect(map.names()).toEqual([]);
      const meta = map.metadata as { npy: { unsupported: string } };
      expect(meta.npy.unsupported).toMatch(/not supported/);
      expect(await failure(Promise.resolve().then(() => map.get("array")))).toBe("USAGE");
    }
  });

  it("still refuses them without the option, and object arrays (pickles) always", async () => {
    expect(await failure(openNpy(records))).toBe("UNSUPPORTED");
    expect(await failure(openNpy(unicode))).toBe("UNSUPPORTED");
    expect(await failure(openNpy(objects, { allowNonTensor: true }))).toBe("UNSAFE");
  });

  it("keeps corrupt headers corrupt", async () => {
    const bad = npyFile("{'descr': [('a', '<i4'), 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    expect(["CORRUPT", "UNSUPPORTED"]).toContain(await failure(openNpy(bad, { allowNonTensor: true })));
    const truncated = records.subarray(0, 20);
    expect(await failure(openNpy(truncated, { allowNonTensor: true }))).toBe("TRUNCATED");
  });
});
