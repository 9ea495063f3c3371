import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { TensorMap } from "@codec/core";
import { decodeSafetensors, openSafetensors } from "@codec/safetensors";
import { openSafetensorsFile, openShardedSafetensorsFiles } from "@codec/safetensors/node";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";

/** Golden files from tools/fixtures/safetensors/make_fixtures.py (numpy + torch, independent writer). */

interface Expected {
  metadata: Record<string, string | number>;
  tensors: Array<{ name: string; dtype: string; shape: number[]; sha256: string }>;
}

const dir = repoPath("packages", "safetensors", "test", "fixtures");
const expected: Record<string, Expected> = JSON.parse(readFileSync(`${dir}/expected.json`, "utf8"));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function check(map: TensorMap, want: Expected): Promise<void> {
  expect(map.metadata).toEqual(want.metadata);
  expect([...map.names()].sort()).toEqual(want.tensors.map((t) => t.name).sort());
  for (const t of want.tensors) {
    const info = map.info(t.name);
    expect(info.dtype).toBe(t.dtype);
    expect(info.shape).toEqual(t.shape);
    const tensor = await map.get(t.name);
    expect(sha(tensor.bytes())).toBe(t.sha256);
  }
}

describe("golden fixtures", () => {
  for (const [file, want] of Object.entries(expected)) {
    if (file.startsWith("sharded/")) {
      it(`sharded set ${file}`, async () => {
        const set = await openShardedSafetensorsFiles(`${dir}/${file}`);
        await check(set, want);
        await set.close();
      });
      continue;
    }
    it(`${file} from memory`, async () => {
      await check(decodeSafetensors(new Uint8Array(readFileSync(`${dir}/${file}`))), want);
      await check(await openSafetensors(new Uint8Array(readFileSync(`${dir}/${file}`))), want);
    });
    it(`${file} from a FileSource`, async () => {
      const f = await openSafetensorsFile(`${dir}/${file}`);
      await check(f, want);
      await f.close();
    });
  }

  it("decodes values, not just bytes", () => {
    const f = decodeSafetensors(new Uint8Array(readFileSync(`${dir}/all_dtypes.safetensors`)));
    expect(Array.from(f.getSync("bfloat16").toFloat32())).toEqual([2.25, 1, -3.5, expect.closeTo(1e30, -27)]);
    expect(Array.from(f.getSync("float16").toFloat32()).slice(0, 4)).toEqual([0.5, -2, 65504, Number.POSITIVE_INFINITY]);
    expect(Array.from(f.getSync("int64").typed() as BigInt64Array)).toEqual([-(2n ** 63n), -1n, 2n ** 53n + 1n, 2n ** 63n - 1n]);
    expect(Array.from(f.getSync("uint64").typed() as BigUint64Array)).toEqual([0n, 2n ** 64n - 1n, 2n ** 53n + 1n]);
    expect(Array.from(f.getSync("complex64").toFloat32())).toEqual([1, 2, -0, -1, 3.5, 0, 0, 0]);
    expect(Array.from(f.getSync("float8_e4m3fn").toFloat32()).slice(0, 3)).toEqual([0, 1, 448]);
    expect(Array.from(f.getSync("bool").bytes())).toEqual([1, 0, 1, 0, 0, 1]);
  });

  it("copies unaligned tensors of the unpadded file and reads them right", () => {
    const f = decodeSafetensors(new Uint8Array(readFileSync(`${dir}/reverse_unpadded.safetensors`)));
    const copied = f.names().filter((n) => f.getSync(n).copied);
    expect(copied.length).toBeGreaterThan(0);
    expect(Array.from(f.getSync("int32").typed() as Int32Array)).toEqual([-(2 ** 31), 0, 7, 2 ** 31 - 1]);
  });
});
