/**
 * HDF5 string datasets stay behind when a file is converted to a flat
 * format; the filter is shared with every codec that has string tensors.
 */
export { withoutStringTensors } from "@codec/core";
