export * from "./model.js";
export * from "./opcodes.js";
export * from "./values.js";
export { py3Name, py3QualifiedName } from "./compat.js";
export type { Reconstructor, UnpickleHooks, UnpickleOptions } from "./decode/options.js";
export type { StreamExtension, UnpickleResult } from "./decode/unpickler.js";
export { unpickle, unpickleAll, unpickleAt } from "./decode/api.js";
export { allowlistedNames } from "./allowlist/index.js";
export { NumpyDType, NUMPY_TYPESTR, type DTypeField } from "./numpy/dtype.js";
export { NdArray, NumpyScalar } from "./numpy/ndarray.js";
export { walkTensors, defaultChildren, isNumpyTensor, keyText, type ChildrenFn, type WalkOptions } from "./walk.js";
export {
  openPickle,
  openJoblib,
  decodeJoblib,
  tensorMapOf,
  describeType,
  ROOT_TENSOR_NAME,
  type PickleTensorMap,
  type JoblibDecoded,
  type ForeignTensors,
} from "./tensormap.js";
export { joblibExtension, isArrayWrapper, type JoblibArrayRecord } from "./joblib/arrays.js";
export { detectCompression, joblibPayload, type JoblibCompression, type JoblibReadCompression } from "./joblib/decompress.js";
export { pickle, Pickler, type PickleOptions, type PicklableValue } from "./encode/pickler.js";
export * from "./scan/index.js";
export { canonicalRepr, type CanonicalReprOptions } from "./repr/canonical.js";
export { pyBytesRepr, pyFloatRepr, pyStrRepr, pyComplexRepr, shortestFloatRepr } from "./repr/python-repr.js";
export { sniffPickle, sniffJoblib } from "./detect.js";
export { looksTorchLegacy } from "./torch-legacy-magic.js";
export { encodeJoblib, type JoblibWriteOptions } from "./joblib/encode.js";
