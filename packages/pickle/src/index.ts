export * from "./model.js";
export * from "./opcodes.js";
export * from "./values.js";
export { py3Name, py3QualifiedName } from "./compat.js";
export type { Reconstructor, UnpickleHooks, UnpickleOptions } from "./decode/options.js";
export type { StreamExtension, UnpickleResult } from "./decode/unpickler.js";
export { unpickle, unpickleAll, unpickleAt } from "./decode/api.js";
export { allowlistedNames } from "./allowlist/index.js";
