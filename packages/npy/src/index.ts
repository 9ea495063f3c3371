import { registerNpyFormats } from "./detect.js";

export { type PyValue, type PyLiteralOptions, parsePyLiteral, dictGet } from "./py-literal.js";
export { type ByteOrder, type NpyDType, parseDescr, descrFor, npyWritable } from "./descr.js";
export {
  NPY_MAGIC,
  NPY_PRELUDE_BYTES,
  ARRAY_ALIGN,
  GROWTH_AXIS_MAX_DIGITS,
  DEFAULT_MAX_HEADER_BYTES,
  type NpyVersion,
  type NpyHeader,
  type NpyHeaderOptions,
  type EncodeHeaderOptions,
  hasNpyMagic,
  readNpyPrelude,
  parseNpyHeader,
  encodeNpyHeader,
} from "./header.js";
export {
  NPY_TENSOR_NAME,
  type NpyReadOptions,
  type NpyOpenOptions,
  type NpyWriteOptions,
  decodeNpy,
  readNpyHeader,
  openNpy,
  encodeNpy,
  encodeNpyParts,
  tensorFromNpyData,
} from "./npy.js";
export { type NpzReadOptions, type NpzWriteOptions, type NamedTensors, openNpz, encodeNpz } from "./npz.js";
export { detectNpy, detectNpzHead, registerNpyFormats } from "./detect.js";

// Importing the package registers its sniffers (core sniff.ts), like every codec.
registerNpyFormats();
export { encodeNpyStrings } from "./unicode.js";
