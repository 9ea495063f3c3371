export {};
export * from "./write/index.js";
