/**
 * A standalone TensorProto, as the ONNX backend tests store inputs and
 * expected outputs (`test_data_set_0/input_0.pb`) and as `codec run`
 * accepts inputs (DESIGN.md section 6). Such a file has no model beside
 * it, so external data is refused.
 */
import { type ByteInput, guardDecodeAsync, type Tensor, toByteSource } from "@codec/core";
import { SourceCursor } from "./source-cursor.js";
import { materializeTensor, readTensorProtoHeader } from "./tensor-proto.js";
import { F } from "./wire.js";

export async function decodeTensorProto(input: ByteInput): Promise<{ name: string; tensor: Tensor }> {
  const source = toByteSource(input);
  return guardDecodeAsync(F, async () => {
    const cursor = new SourceCursor(source);
    const header = await readTensorProtoHeader(cursor, 0, source.byteLength);
    return { name: header.name, tensor: await materializeTensor(cursor, header, undefined) };
  });
}
