// Pure-TypeScript decompressors for the codecs model files use inside other
// containers (HDF5 filter plugins, Blosc, joblib). One codec per file.
export * from "./xxhash32.js";
export * from "./lz4.js";
export * from "./blosclz.js";
export * from "./bzip2.js";
export * from "./zstd.js";
