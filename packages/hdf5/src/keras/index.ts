export type { KerasFileKind, KerasLayer, KerasModel, KerasWeight } from "./model.js";
export { detectKerasArchive, isKerasHdf5, type KerasHdf5Kind, kerasHdf5Kind, registerKerasFormat } from "./detect.js";
export { loadAttributeList, openKeras } from "./read-keras.js";
export { type KerasArchiveInit, type KerasVariables, kerasLayerPaths, reencodeKerasArchive, writeKerasArchive, writeKerasWeights } from "./write-keras.js";
export { ContainerNames, naturalCompare, toSnakeCase } from "./naming.js";

import { registerKerasFormat } from "./detect.js";

// Content detection for `sniffFormat`: `.keras` archives report "keras" (DESIGN.md section 6).
registerKerasFormat();
