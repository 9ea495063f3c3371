/**
 * Sparse initializers (SparseTensorProto, onnx.proto): `values` holds the
 * NNZ non-default values, `indices` (INT64) either NNZ linear indices into
 * the dense shape or an [NNZ, rank] array of coordinates. The listed tensor
 * is the dense one (`dims`), zero (or "") everywhere else.
 */
import { DTYPES, fail, numelOf, Tensor } from "@codec/core";
import type { SourceCursor } from "./source-cursor.js";
import { dtypeOfHeader, type ExternalDataReader, materializeTensor, type TensorProtoHeader } from "./tensor-proto.js";
import { F } from "./wire.js";

/** Largest dense form built from a sparse initializer (4 GiB, beyond what one typed array holds in Node 20). */
const MAX_DENSE_BYTES = 2 ** 32;

export interface SparseHeader {
  values: TensorProtoHeader;
  indices: TensorProtoHeader;
  dims: number[];
  offset: number;
}

export async function densifySparse(cursor: SourceCursor, s: SparseHeader, readExternal: ExternalDataReader | undefined): Promise<Tensor> {
  const { dtype } = dtypeOfHeader(s.values);
  const name = s.values.name;
  const numel = numelOf(s.dims, F, s.offset);
  // The dense form is not backed by bytes in the file: bound it before allocating.
  if (numel * Math.max(1, DTYPES[dtype].size) > MAX_DENSE_BYTES) {
    fail("LIMIT", F, `sparse tensor '${name}' of shape [${s.dims.join(", ")}] is too large to densify (${numel} elements)`, { offset: s.offset });
  }
  const values = await materializeTensor(cursor, s.values, readExternal);
  const indices = await materializeTensor(cursor, s.indices, readExternal);
  if (indices.dtype !== "int64") fail("CORRUPT", F, `sparse tensor '${name}' has ${indices.dtype} indices (INT64 required)`, { offset: s.offset });
  const nnz = values.shape.length === 1 ? values.shape[0] : -1;
  if (nnz < 0) fail("CORRUPT", F, `sparse tensor '${name}' values must be 1-D`, { offset: s.offset });
  const rank = s.dims.length;
  const linear = indices.shape.length === 1 && indices.shape[0] === nnz;
  const coords = indices.shape.length === 2 && indices.shape[0] === nnz && indices.shape[1] === rank;
  if (!linear && !coords) fail("CORRUPT", F, `sparse tensor '${name}' indices have shape [${indices.shape.join(", ")}] for ${nnz} values of rank ${rank}`, { offset: s.offset });
  const idx = indices.typed() as BigInt64Array;
  const position = (k: number): number => {
    let at = 0;
    if (linear) at = Number(idx[k]);
    else {
      for (let d = 0; d < rank; d++) {
        const c = Number(idx[k * rank + d]);
        if (c < 0 || c >= s.dims[d]) fail("CORRUPT", F, `sparse tensor '${name}' index ${c} is out of range for dimension ${d} (${s.dims[d]})`, { offset: s.offset });
        at = at * s.dims[d] + c;
      }
    }
    if (!(at >= 0 && at < numel)) fail("CORRUPT", F, `sparse tensor '${name}' index ${at} is out of range (${numel} elements)`, { offset: s.offset });
    return at;
  };
  if (dtype === "string") {
    const dense = new Array<string>(numel).fill("");
    const src = values.strings();
    for (let k = 0; k < nnz; k++) dense[position(k)] = src[k];
    return new Tensor({ dtype, shape: s.dims, data: dense });
  }
  const size = DTYPES[dtype].size;
  const dense = new Uint8Array(numel * size);
  const src = values.bytes();
  for (let k = 0; k < nnz; k++) dense.set(src.subarray(k * size, (k + 1) * size), position(k) * size);
  return new Tensor({ dtype, shape: s.dims, data: dense, copied: true });
}
