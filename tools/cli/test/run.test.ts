import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { decodeNpy, encodeNpy } from "@codec/npy";
import { ProtoParts } from "@codec/onnx";
import { describe, expect, it } from "vitest";
import { run, tmp } from "./run-cli.js";

/** A model computing y = Identity(x) for a float32 [2] input (built field by field per onnx.proto). */
function identityModel(): Uint8Array {
  const valueInfo = (name: string) => {
    const dim = new ProtoParts().varintField(1, 2);
    const shape = new ProtoParts().messageField(1, dim);
    const tensorType = new ProtoParts().varintField(1, 1).messageField(2, shape);
    return new ProtoParts().stringField(1, name).messageField(2, new ProtoParts().messageField(1, tensorType));
  };
  const node = new ProtoParts().stringField(1, "x").stringField(2, "y").stringField(3, "id").stringField(4, "Identity");
  const graph = new ProtoParts().messageField(1, node).stringField(2, "g").messageField(11, valueInfo("x")).messageField(12, valueInfo("y"));
  const opset = new ProtoParts().stringField(1, "").varintField(2, 13);
  return new ProtoParts().varintField(1, 8).messageField(7, graph).messageField(8, opset).join();
}

describe("codec run", () => {
  it("runs an ONNX model on .npy inputs and writes each output as DIR/<name>.npy", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "m.onnx"), identityModel());
    const x = new Tensor({ dtype: "float32", shape: [2], data: new Uint8Array(new Float32Array([1.5, -2]).buffer) });
    writeFileSync(join(dir, "x.npy"), encodeNpy(x));
    const r = await run(["run", join(dir, "m.onnx"), "--input", `x=${join(dir, "x.npy")}`, "--out", join(dir, "out")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const y = decodeNpy(readFileSync(join(dir, "out", "y.npy")));
    expect(Array.from(y.typed() as Float32Array)).toEqual([1.5, -2]);
  });

  it("runs a pickled scikit-learn estimator: input -> DIR/output.npy with predict()", async () => {
    const fixtures = join(import.meta.dirname, "..", "..", "..", "packages", "infer", "test", "fixtures", "sklearn");
    const dir = tmp();
    const r = await run(["run", join(fixtures, "pipe.pkl"), "--input", `input=${join(fixtures, "pipe_X.npy")}`, "--out", dir]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const got = decodeNpy(readFileSync(join(dir, "output.npy")));
    const want = decodeNpy(readFileSync(join(fixtures, "pipe_y.npy")));
    expect(Array.from(got.typed() as BigInt64Array)).toEqual(Array.from(want.typed() as BigInt64Array));
    const wrongName = await run(["run", join(fixtures, "pipe.pkl"), "--input", `x=${join(fixtures, "pipe_X.npy")}`, "--out", dir]);
    expect(wrongName.status).toBe(2);
  });

  it("reports missing inputs, unknown inputs and non-ONNX models as one-line failures; bad usage exits 2", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "m.onnx"), identityModel());
    const missing = await run(["run", join(dir, "m.onnx"), "--out", join(dir, "o")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^codec: .*needs input 'x'\n$/);
    writeFileSync(join(dir, "x.npy"), encodeNpy(new Tensor({ dtype: "float32", shape: [2], data: new Uint8Array(8) })));
    const unknown = await run(["run", join(dir, "m.onnx"), "--input", `z=${join(dir, "x.npy")}`, "--input", `x=${join(dir, "x.npy")}`, "--out", join(dir, "o")]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no input named 'z'/);
    const notOnnx = await run(["run", join(dir, "x.npy"), "--out", join(dir, "o")]);
    expect(notOnnx.status).toBe(1);
    expect(notOnnx.stderr).toMatch(/npy files are not models this command runs/);
    expect((await run(["run", join(dir, "m.onnx")])).status).toBe(2);
    expect((await run(["run", join(dir, "m.onnx"), "--input", "novalue", "--out", dir])).status).toBe(2);
  });
});
