export * from "./corpus.js";
export * from "./fuzz.js";
export * from "./errors.js";
export * from "./tensor-map.js";
