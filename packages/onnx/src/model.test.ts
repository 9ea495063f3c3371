import { isCodecError, MemorySource, Tensor, type TensorMap } from "@codec/core";
import { describe, expect, it } from "vitest";
import { detectOnnx } from "./detect.js";
import { encodeOnnx } from "./encode.js";
import { openOnnx } from "./model.js";
import { ProtoParts } from "./proto-parts.js";
import { reencodeOnnx } from "./reencode.js";
import { decodeTensorProto } from "./tensor-file.js";

function mapOf(entries: Record<string, Tensor>, metadata: Record<string, string> = {}): TensorMap {
  return { format: "test", metadata, names: () => Object.keys(entries), info: (n) => ({ name: n, dtype: entries[n].dtype, shape: entries[n].shape }), get: async (n) => entries[n] };
}

const f32 = (values: number[], shape = [values.length]) => new Tensor({ dtype: "float32", shape, data: new Uint8Array(new Float32Array(values).buffer) });

async function rejects(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isCodecError(e)).toBe(true);
    return (e as { code: string }).code;
  }
  throw new Error("expected a CodecError");
}

describe("ONNX models", () => {
  it("writes tensors as initializers and reads them back zero-copy", async () => {
    const bytes = await encodeOnnx(
      mapOf({ a: f32([1, 2, 3, 4], [2, 2]), s: new Tensor({ dtype: "string", shape: [2], data: ["x", "é"] }), z: f32([], [0, 3]), b: new Tensor({ dtype: "bool", shape: [], data: new Uint8Array([1]) }) }),
      { metadata: { author: "me" } },
    );
    expect(detectOnnx(bytes, bytes.length)).toBe(2);
    const m = await openOnnx(bytes);
    expect(m.names()).toEqual(["a", "s", "z", "b"]);
    expect(m.info("a")).toEqual({ name: "a", dtype: "float32", shape: [2, 2] });
    const a = await m.get("a");
    expect(Array.from(a.typed() as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(a.bytes().buffer).toBe(bytes.buffer);
    expect((await m.get("s")).strings()).toEqual(["x", "é"]);
    expect((await m.get("z")).shape).toEqual([0, 3]);
    expect(Array.from((await m.get("b")).bytes())).toEqual([1]);
    expect(m.metadata.author).toBe("me");
    expect((m.metadata.onnx as { opset_import: unknown }).opset_import).toEqual({ "ai.onnx": 17 });
  });

  it("re-encodes a model without external data as the same bytes", async () => {
    const bytes = await encodeOnnx(mapOf({ a: f32([1]) }));
    expect(await reencodeOnnx(bytes)).toBe(bytes);
  });

  it("reads typed-field values, checks counts, and refuses wrong raw_data sizes", async () => {
    // TensorProto: dims [3], INT64, int64_data packed [-1, 2, 2^40], name "t".
    const t = new ProtoParts().varintField(1, 3).varintField(2, 7);
    const packed = new ProtoParts().raw(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).varint(2).varint(2 ** 40);
    t.messageField(7, packed).stringField(8, "t");
    const { name, tensor } = await decodeTensorProto(t.join());
    expect(name).toBe("t");
    expect(Array.from(tensor.typed() as BigInt64Array)).toEqual([-1n, 2n, 2n ** 40n]);

    const short = new ProtoParts().varintField(1, 4).varintField(2, 1).stringField(8, "r").bytesField(9, new Uint8Array(12));
    expect(await rejects(decodeTensorProto(short.join()))).toBe("CORRUPT");
    const tooFew = new ProtoParts().varintField(1, 4).varintField(2, 7).messageField(7, new ProtoParts().varint(1)).stringField(8, "q");
    expect(await rejects(decodeTensorProto(tooFew.join()))).toBe("CORRUPT");
  });

  it("lists types without a dtype name in the metadata instead of failing the model", async () => {
    const model = new ProtoParts().varintField(1, 9);
    const graph = new ProtoParts().stringField(2, "g");
    graph.messageField(5, new ProtoParts().varintField(1, 2).varintField(2, 22).stringField(8, "int4").bytesField(9, new Uint8Array(1)));
    graph.messageField(5, new ProtoParts().varintField(1, 1).varintField(2, 1).stringField(8, "ok").bytesField(9, new Uint8Array(4)));
    model.messageField(7, graph);
    const m = await openOnnx(model.join());
    expect(m.names()).toEqual(["ok"]);
    expect((m.metadata.onnx as { unsupported_tensors: unknown }).unsupported_tensors).toEqual([{ name: "int4", data_type: 22 }]);
  });

  it("needs an external data reader for external tensors and checks their lengths", async () => {
    const ext = (length: string) => {
      const t = new ProtoParts().varintField(1, 2).varintField(2, 1).stringField(8, "e");
      for (const [k, v] of [["location", "w.bin"], ["offset", "4"], ["length", length]]) t.messageField(13, new ProtoParts().stringField(1, k).stringField(2, v));
      t.varintField(14, 1);
      return new ProtoParts().varintField(1, 8).messageField(7, new ProtoParts().messageField(5, t)).join();
    };
    const file = new Uint8Array(12);
    new DataView(file.buffer).setFloat32(4, 1.5, true);
    new DataView(file.buffer).setFloat32(8, -2, true);
    const m = await openOnnx(ext("8"), { externalData: () => new MemorySource(file) });
    expect(Array.from((await m.get("e")).typed() as Float32Array)).toEqual([1.5, -2]);
    expect(await rejects((await openOnnx(ext("8"))).get("e"))).toBe("UNSUPPORTED");
    expect(await rejects((await openOnnx(ext("12"), { externalData: () => new MemorySource(file) })).get("e"))).toBe("CORRUPT");
    expect(await rejects((await openOnnx(ext("8"), { externalData: () => new MemorySource(file.subarray(0, 10)) })).get("e"))).toBe("TRUNCATED");
    // Re-encoding inlines the data: the result opens without the external file.
    const inlined = await reencodeOnnx(ext("8"), { externalData: () => new MemorySource(file) });
    expect(Array.from((await (await openOnnx(inlined)).get("e")).typed() as Float32Array)).toEqual([1.5, -2]);
  });

  it("densifies sparse initializers", async () => {
    const values = new ProtoParts().varintField(1, 2).varintField(2, 1).stringField(8, "sp").bytesField(9, new Uint8Array(new Float32Array([5, 6]).buffer));
    const idx = new ProtoParts().varintField(1, 2).varintField(1, 2).varintField(2, 7).stringField(8, "i").bytesField(9, new Uint8Array(new BigInt64Array([0n, 1n, 1n, 2n]).buffer));
    const sparse = new ProtoParts().messageField(1, values).messageField(2, idx).varintField(3, 2).varintField(3, 3);
    const m = await openOnnx(new ProtoParts().varintField(1, 8).messageField(7, new ProtoParts().messageField(15, sparse)).join());
    expect(m.info("sp").shape).toEqual([2, 3]);
    expect(Array.from((await m.get("sp")).typed() as Float32Array)).toEqual([0, 5, 0, 0, 0, 6]);
  });

  it("refuses input that is not a model", async () => {
    expect(await rejects(openOnnx(new Uint8Array(0)))).toBe("TRUNCATED");
    expect(await rejects(openOnnx(new Uint8Array([0x08, 0x08, 0x3a, 0x10, 0x12])))).toBe("TRUNCATED");
    expect(detectOnnx(new Uint8Array([0x80, 0x02]), 2)).toBe(0);
    expect(detectOnnx(new Uint8Array([0x08, 0x08, 0x3a, 0x10, 0x12]), 5)).toBe(1);
  });
});
