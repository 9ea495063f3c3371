/**
 * Writing tensor data outside the model (onnx.proto TensorProto
 * `data_location = EXTERNAL` with `external_data` key/value pairs), the way
 * onnx's external_data_helper and torch.onnx.export do for models over
 * protobuf's 2 GiB limit: every large tensor's bytes go into one data file
 * beside the model, and its TensorProto keeps dims, type and name plus
 * `location`, `offset` and `length`.
 *
 * Offsets are aligned so that readers can map or view the data in place:
 * tensors of 1 MiB and more start at a multiple of 64 KiB (the allocation
 * granularity onnx >= 1.15's `align_offset` and onnxruntime's mmap use),
 * smaller ones at a multiple of 64 bytes (enough for any typed-array view).
 * Padding is zeros; onnx's loader reads only [offset, offset + length).
 */
import { fail } from "@codec/core";
import { ProtoParts } from "./proto-parts.js";
import { F } from "./wire.js";

/** TensorProto.external_data (repeated StringStringEntryProto) and data_location. */
const EXTERNAL_DATA = 13;
const DATA_LOCATION = 14;
/** TensorProto.DataLocation.EXTERNAL. */
const LOCATION_EXTERNAL = 1;

const BIG_TENSOR = 1 << 20;
const BIG_ALIGN = 1 << 16;
const SMALL_ALIGN = 64;
const ZEROS = new Uint8Array(BIG_ALIGN);

/** onnx's default `size_threshold`: tensors below it stay inside the model. */
export const DEFAULT_EXTERNAL_THRESHOLD = 1024;

/**
 * A relative location inside the model's directory, as readers require
 * (onnx refuses others since CVE-2022-25882, and so does ours).
 */
function checkLocation(location: string): void {
  const parts = location.split(/[\\/]/);
  if (location === "" || location.includes("\0") || location.startsWith("/") || location.startsWith("\\") || /^[a-zA-Z]:/.test(location) || parts.includes("..")) {
    fail("UNSAFE", F, `external data location '${location}' must be a relative path inside the model's directory`);
  }
}

/** The data file being assembled: its parts in order, and where each tensor went. */
export class ExternalDataFile {
  readonly parts: Uint8Array[] = [];
  /** Bytes written so far (the next offset before alignment). */
  length = 0;

  /**
   * @param location the data file's path relative to the model
   * @param sizeThreshold tensors of fewer bytes stay inside the model (string tensors always do)
   */
  constructor(
    readonly location: string,
    readonly sizeThreshold = DEFAULT_EXTERNAL_THRESHOLD,
  ) {
    checkLocation(location);
    if (!(sizeThreshold >= 0)) fail("UNSUPPORTED", F, `external data size threshold must be >= 0, got ${sizeThreshold}`);
  }

  /**
   * Whether a tensor of `byteLength` bytes goes to this file. Empty tensors
   * never do: onnx's loader (1.12 to at least 1.17) reads a `length` of 0
   * as "to the end of the file" and would hand them the bytes that follow.
   */
  takes(byteLength: number): boolean {
    return byteLength > 0 && byteLength >= this.sizeThreshold;
  }

  /** Appends `bytes` at the next aligned offset and returns that offset. */
  add(bytes: Uint8Array): number {
    const align = bytes.length >= BIG_TENSOR ? BIG_ALIGN : SMALL_ALIGN;
    const pad = (align - (this.length % align)) % align;
    if (pad > 0) {
      this.parts.push(ZEROS.subarray(0, pad));
      this.length += pad;
    }
    const offset = this.length;
    if (bytes.length > 0) this.parts.push(bytes);
    this.length += bytes.length;
    return offset;
  }
}

/** The external_data entries (location, offset, length) and data_location of a TensorProto, in field order. */
export function writeExternalFields(p: ProtoParts, file: ExternalDataFile, offset: number, length: number): void {
  for (const [key, value] of [
    ["location", file.location],
    ["offset", String(offset)],
    ["length", String(length)],
  ]) {
    p.messageField(EXTERNAL_DATA, new ProtoParts().stringField(1, key).stringField(2, value));
  }
  p.varintField(DATA_LOCATION, LOCATION_EXTERNAL);
}
