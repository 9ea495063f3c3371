import { Tensor } from "@codec/core";
import { PyDict, PyGlobal, PyObject, PyTuple } from "@codec/pickle";
import { describe, expect, it } from "vitest";
import { torchTensorFrom } from "./from-tensor.js";
import { openTorch } from "./torch-file.js";
import { TorchSparseCompressedTensor } from "./torch-tensor.js";
import { saveTorch } from "./writer.js";

const i64 = (xs: number[]) => new Tensor({ dtype: "int64", shape: [xs.length], data: new Uint8Array(new BigInt64Array(xs.map(BigInt)).buffer) });
const f32 = (xs: number[]) => new Tensor({ dtype: "float32", shape: [xs.length], data: new Uint8Array(new Float32Array(xs).buffer) });

/**
 * What torch/_tensor.py `__reduce_ex__` pickles for a compressed sparse tensor:
 * torch 1.13 `_rebuild_sparse_csr_tensor(torch.sparse_csr, (crow, col, values, size))`,
 * torch >= 2.0 `_rebuild_sparse_tensor(layout, (compressed, plain, values, size))`.
 */
function compressed(fn: string, layout: string): PyObject {
  const data = new PyTuple([torchTensorFrom(i64([0, 1, 3])), torchTensorFrom(i64([2, 0, 2])), torchTensorFrom(f32([3, 4, 5])), new PyTuple([2, 3])]);
  return new PyObject(new PyGlobal("torch._utils", fn), [new PyGlobal("torch", layout), data], "reduce");
}

describe("compressed sparse tensors", () => {
  it("lists CSR (torch 1.13) and CSC (torch 2.x) tensors by torch's accessor names and reads their parts", async () => {
    const d = new PyDict();
    d.set("csr", compressed("_rebuild_sparse_csr_tensor", "sparse_csr"));
    d.set("csc", compressed("_rebuild_sparse_tensor", "sparse_csc"));
    const t = await openTorch(await saveTorch(d));
    expect(t.names()).toEqual(["csr.crow_indices", "csr.col_indices", "csr.values", "csc.ccol_indices", "csc.row_indices", "csc.values"]);
    expect([...new BigInt64Array((await t.get("csr.crow_indices")).bytes().slice().buffer)]).toEqual([0n, 1n, 3n]);
    expect([...new Float32Array((await t.get("csc.values")).bytes().slice().buffer)]).toEqual([3, 4, 5]);
    const csr = (t.object as PyDict).get("csr");
    expect(csr).toBeInstanceOf(TorchSparseCompressedTensor);
    expect((csr as TorchSparseCompressedTensor).shape).toEqual([2, 3]);
  });

  it("refuses a compressed tensor whose data is not (indices, indices, values, size)", async () => {
    const d = new PyDict();
    d.set("bad", new PyObject(new PyGlobal("torch._utils", "_rebuild_sparse_csr_tensor"), [new PyGlobal("torch", "sparse_csr"), new PyTuple([1, 2])], "reduce"));
    await expect(openTorch(await saveTorch(d))).rejects.toMatchObject({ code: "CORRUPT" });
  });
});
