export { Hdf5Writer, type DatasetOptions, type DatasetInit, type RawPart, type WriterLayout, type WriterOptions } from "./writer.js";
export { type AttributeInput, type TypedAttributeValue, fixedStrings } from "./attribute-input.js";
export {
  BFLOAT16,
  BOOL_ENUM,
  complexType,
  datatypeForDType,
  FLOAT16,
  FLOAT32,
  FLOAT64,
  FLOAT8_E4M3FN,
  FLOAT8_E5M2,
  fixedStringType,
  intType,
  VLEN_UTF8,
} from "./standard-types.js";
export { type DeflateFn, defaultDeflate, fflateDeflate, fletcher32, shuffleBytes } from "./filters.js";
export { guessChunks } from "./chunk-guess.js";
export { type TensorEntries, writeTensorMapAsHdf5, writeTensorsAsHdf5 } from "./tensors.js";
export { type ReencodeOptions, reencodeHdf5 } from "./reencode.js";
