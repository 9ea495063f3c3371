/**
 * The values of a TensorProto kept in its typed repeated fields rather
 * than raw_data, turned into little-endian element bytes. Repeated scalars
 * may arrive packed (one length-delimited run, what onnx writes for these
 * [packed = true] fields) or one element per field occurrence; parsers
 * accept both (protobuf.dev, "Packed Repeated Fields").
 */
import { type DType, DTYPES, fail } from "@codec/core";
import type { TypedField } from "./data-type.js";
import type { SourceCursor } from "./source-cursor.js";
import { F, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, WireReader } from "./wire.js";

/** One occurrence of a repeated field: its wire type and payload range (absolute). */
export interface ValueChunk {
  wire: number;
  start: number;
  end: number;
}

const utf8 = new TextDecoder("utf-8");

/** Element bytes (or strings) of `numel` elements of `dtype` from the chunks of `field`. */
export async function decodeTypedValues(cursor: SourceCursor, chunks: readonly ValueChunk[], field: TypedField, dtype: DType, numel: number, name: string): Promise<Uint8Array | string[]> {
  if (field === "string_data") {
    const out: string[] = [];
    for (const c of chunks) {
      if (c.wire !== WIRE_LEN) fail("CORRUPT", F, `tensor '${name}': string_data element is not length-delimited`, { offset: c.start });
      // STRING elements are bytes in onnx.proto; text that is not UTF-8 shows replacement characters.
      out.push(utf8.decode((cursor.peek(c.start, c.end) ?? (await cursor.bytes(c.start, c.end)))));
    }
    if (out.length !== numel) fail("CORRUPT", F, `tensor '${name}' has ${out.length} strings, its shape needs ${numel}`, { offset: chunks[0]?.start });
    return out;
  }
  const lanes = DTYPES[dtype].lanes;
  const count = numel * lanes;
  const size = DTYPES[dtype].size / lanes;
  // Check the declared shape against the bytes present before allocating for it: a fixed-width
  // value takes 4 or 8 bytes, a varint at least 1.
  let present = 0;
  for (const c of chunks) present += c.end - c.start;
  const minBytes = field === "float_data" ? 4 * count : field === "double_data" ? 8 * count : count;
  if (present < minBytes) fail("CORRUPT", F, `tensor '${name}' has ${present} bytes of ${field}, too few for ${count} values`, { offset: chunks[0]?.start });
  const out = new Uint8Array(numel * DTYPES[dtype].size);
  const view = new DataView(out.buffer);
  let k = 0;
  const tooMany = (at: number): never => fail("CORRUPT", F, `tensor '${name}' has more ${field} values than its shape holds (${count})`, { offset: at });
  if (field === "float_data" || field === "double_data") {
    // fixed32 / fixed64: the payload bytes are already the little-endian elements.
    const width = field === "float_data" ? 4 : 8;
    for (const c of chunks) {
      const fixed = width === 4 ? WIRE_I32 : WIRE_I64;
      if (c.wire !== WIRE_LEN && c.wire !== fixed) fail("CORRUPT", F, `tensor '${name}': ${field} has wire type ${c.wire}`, { offset: c.start });
      const n = c.end - c.start;
      if (n % width !== 0) fail("CORRUPT", F, `tensor '${name}': packed ${field} of ${n} bytes`, { offset: c.start });
      if (k + n / width > count) tooMany(c.start);
      out.set((cursor.peek(c.start, c.end) ?? (await cursor.bytes(c.start, c.end))), k * width);
      k += n / width;
    }
  } else {
    const v = { lo: 0, hi: 0 };
    for (const c of chunks) {
      if (c.wire !== WIRE_LEN && c.wire !== WIRE_VARINT) fail("CORRUPT", F, `tensor '${name}': ${field} has wire type ${c.wire}`, { offset: c.start });
      const bytes = (cursor.peek(c.start, c.end) ?? (await cursor.bytes(c.start, c.end)));
      const r = new WireReader(bytes, 0, bytes.length, c.start);
      while (!r.done) {
        if (k >= count) tooMany(c.start + r.pos);
        r.varint64(v);
        const at = k * size;
        switch (size) {
          case 1:
            // int8/uint8 keep their low byte; bool is 0 or 1; float8 bit patterns sit in the low byte.
            out[at] = dtype === "bool" ? (v.lo !== 0 || v.hi !== 0 ? 1 : 0) : v.lo & 0xff;
            break;
          case 2:
            view.setUint16(at, v.lo & 0xffff, true);
            break;
          case 4:
            view.setUint32(at, v.lo, true);
            break;
          default:
            view.setUint32(at, v.lo, true);
            view.setUint32(at + 4, v.hi, true);
        }
        k++;
      }
    }
  }
  if (k !== count) fail("CORRUPT", F, `tensor '${name}' has ${k} ${field} values, its shape needs ${count}`, { offset: chunks[0]?.start });
  return out;
}
