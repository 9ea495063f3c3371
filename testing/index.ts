export * from "./corpus.js";
export * from "./fuzz.js";
