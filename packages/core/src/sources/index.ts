export { BlobSource } from "./blob-source.js";
export { type FetchLike, HttpRangeSource, type HttpRangeSourceOptions } from "./http-range-source.js";
