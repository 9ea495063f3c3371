import { describe, expect, it } from "vitest";
import { DTYPES, DTYPE_NAMES, type DType, dtypeSize, isDType, swapUnit } from "./dtype.js";
import { float32ToBfloat16, float32ToFloat8E4M3FN, float32ToFloat8E5M2, float32ToFloat16 } from "./minifloat.js";
import { Tensor } from "./tensor.js";
import { codeOf } from "@codec/testing";


/** Values every dtype can hold exactly (float8_e4m3fn and e5m2 included). */
const VALUES = [0, 1, -2, 3, 0.5, -1.5, 4, 6];

function encode(dtype: DType, values: number[]): Uint8Array {
  const n = values.length;
  const size = DTYPES[dtype].size;
  const out = new Uint8Array(n * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    const at = i * size;
    switch (dtype) {
      case "bool":
        out[at] = x !== 0 ? 1 : 0;
        break;
      case "int8":
        v.setInt8(at, Math.trunc(x));
        break;
      case "uint8":
        out[at] = Math.abs(Math.trunc(x));
        break;
      case "int16":
        v.setInt16(at, Math.trunc(x), true);
        break;
      case "uint16":
        v.setUint16(at, Math.abs(Math.trunc(x)), true);
        break;
      case "int32":
        v.setInt32(at, Math.trunc(x), true);
        break;
      case "uint32":
        v.setUint32(at, Math.abs(Math.trunc(x)), true);
        break;
      case "int64":
        v.setBigInt64(at, BigInt(Math.trunc(x)), true);
        break;
      case "uint64":
        v.setBigUint64(at, BigInt(Math.abs(Math.trunc(x))), true);
        break;
      case "float16":
        v.setUint16(at, float32ToFloat16(x), true);
        break;
      case "bfloat16":
        v.setUint16(at, float32ToBfloat16(x), true);
        break;
      case "float32":
        v.setFloat32(at, x, true);
        break;
      case "float64":
        v.setFloat64(at, x, true);
        break;
      case "float8_e4m3fn":
        out[at] = float32ToFloat8E4M3FN(x);
        break;
      case "float8_e5m2":
        out[at] = float32ToFloat8E5M2(x);
        break;
      case "complex64":
        v.setFloat32(at, x, true);
        v.setFloat32(at + 4, -x, true);
        break;
      case "complex128":
        v.setFloat64(at, x, true);
        v.setFloat64(at + 8, -x, true);
        break;
      case "string":
        throw new Error("no bytes");
    }
  });
  return out;
}

/** What toFloat32 must give for VALUES in each dtype. */
function expected(dtype: DType): number[] {
  switch (DTYPES[dtype].kind) {
    case "bool":
      return VALUES.map((x) => (x !== 0 ? 1 : 0));
    case "int":
      return VALUES.map((x) => Math.trunc(x));
    case "uint":
      return VALUES.map((x) => Math.abs(Math.trunc(x)));
    case "complex":
      return VALUES.flatMap((x) => [x, -x]);
    default:
      return VALUES;
  }
}

describe("dtype table", () => {
  it("covers every fixed dtype name with consistent sizes and typed arrays", () => {
    expect(DTYPE_NAMES.length).toBe(18);
    for (const name of DTYPE_NAMES) {
      const d = DTYPES[name];
      expect(d.name).toBe(name);
      expect(isDType(name)).toBe(true);
      expect(dtypeSize(name)).toBe(d.size);
      if (d.array) expect(d.array.BYTES_PER_ELEMENT * d.lanes).toBe(d.size);
      if (d.size) expect(swapUnit(name) * d.lanes).toBe(d.size);
    }
    expect(isDType("float")).toBe(false);
    expect(isDType("toString")).toBe(false);
    expect(swapUnit("complex128")).toBe(8);
  });
});

describe("Tensor", () => {
  for (const dtype of DTYPE_NAMES.filter((d) => d !== "string")) {
    it(`${dtype}: typed() and toFloat32()`, () => {
      const bytes = encode(dtype, VALUES);
      const t = new Tensor({ dtype, shape: [2, 4], data: bytes });
      expect(t.numel).toBe(8);
      expect(t.byteLength).toBe(8 * DTYPES[dtype].size);
      expect(t.copied).toBe(false);
      const typed = t.typed();
      expect(typed).toBeInstanceOf(DTYPES[dtype].array!);
      expect(typed.length).toBe(8 * DTYPES[dtype].lanes);
      // Aligned data gives a view, not a copy.
      expect(typed.buffer).toBe(bytes.buffer);
      expect([...t.toFloat32()]).toEqual(expected(dtype));
      // Misaligned data (offset 1 in its buffer) still works, through an aligned copy.
      const shifted = new Uint8Array(bytes.length + 1);
      shifted.set(bytes, 1);
      const t2 = new Tensor({ dtype, shape: [8], data: shifted.subarray(1) });
      expect([...t2.toFloat32()]).toEqual(expected(dtype));
      if (DTYPES[dtype].array!.BYTES_PER_ELEMENT > 1) expect(t2.typed().buffer).not.toBe(shifted.buffer);
    });
  }

  it("toFloat32 returns a fresh array even for float32", () => {
    const data = encode("float32", [1, 2]);
    const f = new Tensor({ dtype: "float32", shape: [2], data }).toFloat32();
    f[0] = 9;
    expect(new DataView(data.buffer).getFloat32(0, true)).toBe(1);
  });

  it("string tensors hold strings and refuse bytes", () => {
    const t = new Tensor({ dtype: "string", shape: [2], data: ["a", "b"] });
    expect(t.strings()).toEqual(["a", "b"]);
    expect(t.byteLength).toBe(0);
    expect(codeOf(() => t.bytes())).toBe("USAGE");
    expect(codeOf(() => t.typed())).toBe("USAGE");
    expect(codeOf(() => new Tensor({ dtype: "float32", shape: [1], data: new Uint8Array(4) }).strings())).toBe("USAGE");
  });

  it("validates data length, shape and kind", () => {
    expect(codeOf(() => new Tensor({ dtype: "float32", shape: [3], data: new Uint8Array(8) }))).toBe("CORRUPT");
    expect(codeOf(() => new Tensor({ dtype: "float32", shape: [-1], data: new Uint8Array(0) }))).toBe("CORRUPT");
    expect(codeOf(() => new Tensor({ dtype: "float32", shape: [1.5], data: new Uint8Array(0) }))).toBe("CORRUPT");
    expect(codeOf(() => new Tensor({ dtype: "string", shape: [2], data: ["a"] }))).toBe("CORRUPT");
    expect(codeOf(() => new Tensor({ dtype: "int8", shape: [1], data: ["a"] }))).toBe("CORRUPT");
    const scalar = new Tensor({ dtype: "float64", shape: [], data: encode("float64", [2.5]) });
    expect(scalar.numel).toBe(1);
    expect([...scalar.toFloat32()]).toEqual([2.5]);
    const empty = new Tensor({ dtype: "int64", shape: [0, 3], data: new Uint8Array(0) });
    expect(empty.toFloat32().length).toBe(0);
  });

  it("copies its shape and keeps the copied flag", () => {
    const shape = [2];
    const t = new Tensor({ dtype: "uint8", shape, data: new Uint8Array(2), copied: true });
    shape[0] = 5;
    expect(t.shape).toEqual([2]);
    expect(t.copied).toBe(true);
  });
});

describe("Tensor.typed over Node Buffers", () => {
  it("realigns a misaligned Buffer view by copying (Buffer#slice would be a view)", () => {
    const pool = Buffer.alloc(17);
    const view = pool.subarray(1, 17); // byteOffset 1: misaligned for float32
    new DataView(view.buffer, view.byteOffset).setFloat32(0, 1.5, true);
    const t = new Tensor({ dtype: "float32", shape: [4], data: view });
    const typed = t.typed();
    expect(typed).toBeInstanceOf(Float32Array);
    expect(typed[0]).toBe(1.5);
    expect(typed.length).toBe(4);
  });
});
