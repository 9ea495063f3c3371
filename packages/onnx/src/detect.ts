/**
 * ONNX has no magic number (DESIGN.md section 6: detected by structure).
 * A ModelProto as onnx, PyTorch and every protobuf runtime serialize it
 * starts with `ir_version` (field 1, varint: byte 0x08) and continues with
 * the model's string fields and its graph (field 7). The head is parsed as
 * ModelProto top-level fields: every field must be one ModelProto defines,
 * with its wire type, and every length must fit in the file.
 */
import { type FormatDetector, registerFormat } from "@codec/core";
import { WIRE_LEN, WIRE_VARINT, WireReader } from "./wire.js";

/** ModelProto field number -> wire type (onnx.proto). */
const MODEL_FIELDS: Readonly<Record<number, number>> = { 1: WIRE_VARINT, 2: WIRE_LEN, 3: WIRE_LEN, 4: WIRE_LEN, 5: WIRE_VARINT, 6: WIRE_LEN, 7: WIRE_LEN, 8: WIRE_LEN, 14: WIRE_LEN, 20: WIRE_LEN, 25: WIRE_LEN };

/**
 * 2: a ModelProto with a plausible ir_version and a graph or opset; 1: a
 * plausible ir_version only (e.g. a model cut off before its graph); 0:
 * not. Fields ModelProto defines must have their wire types; unknown field
 * numbers (newer onnx.proto versions) are allowed as long as the known
 * ones outnumber them.
 */
export function detectOnnx(head: Uint8Array, byteLength: number): number {
  if (head.length < 2) return 0;
  const r = new WireReader(head, 0, head.length);
  let irVersion = -1;
  let structural = false;
  let known = 0;
  let unknown = 0;
  try {
    while (!r.done) {
      // A field whose header is cut by the end of the head ends the look.
      const tag = r.varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0 || (wire !== WIRE_VARINT && wire !== WIRE_LEN && wire !== 1 && wire !== 5)) return 0;
      const expected = MODEL_FIELDS[field];
      if (expected !== undefined && expected !== wire) return 0;
      if (expected === undefined) unknown++;
      else known++;
      if (wire === WIRE_LEN) {
        const n = r.varint();
        // A length past the end: a cut-off model if it began like one (opening it says TRUNCATED).
        if (r.pos + n > byteLength) return irVersion >= 1 && irVersion <= 100 && known > unknown ? 1 : 0;
        if (field === 7 || field === 8) structural = true;
        // The payload may run past the head; that is fine, the file is longer.
        if (r.pos + n > head.length) break;
        r.pos += n;
      } else if (wire === WIRE_VARINT) {
        const v = r.varint();
        if (field === 1) irVersion = v;
      } else {
        r.pos += wire === 1 ? 8 : 4;
      }
    }
  } catch {
    // Truncated varint at the end of the head: judge on what was read.
  }
  if (irVersion < 1 || irVersion > 100 || known <= unknown) return 0;
  return structural ? 2 : 1;
}

export const onnxDetector: FormatDetector = { format: "onnx", extensions: ["onnx"], detect: detectOnnx };

registerFormat(onnxDetector);
