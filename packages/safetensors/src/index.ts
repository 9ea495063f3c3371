/**
 * @codec/safetensors: read and write safetensors files (zero-copy, lazy,
 * sharded, validated exactly like the reference implementation).
 */
export { DETAIL_CODES, type SafetensorsErrorDetail } from "./errors.js";
export {
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
  dtypeBits,
  dtypeRank,
  fromCoreDType,
  isSafetensorsDType,
  toCoreDType,
} from "./dtypes.js";
export { MAX_HEADER_SIZE, type SafetensorsHeader, type SafetensorsTensorEntry, parseHeader, readHeaderLength } from "./header.js";
export { type SliceIndex, type SlicePlan, planSlice } from "./slice.js";
export {
  type OpenSafetensorsOptions,
  SafetensorsFile,
  type SafetensorsTensorInfo,
  decodeSafetensors,
  openSafetensors,
  readSafetensorsHeader,
} from "./file.js";
export {
  type Metadata,
  type SafetensorsTensorData,
  type TensorLike,
  type TensorsInput,
  encodeSafetensors,
  prepareSafetensors,
} from "./encode.js";
export { type HeaderEntry, type PreparedHeader, compareCodePoints, prepareHeader } from "./header-writer.js";
export { safetensorsDetector } from "./detector.js";
export {
  type ShardIndex,
  type ShardResolver,
  ShardedSafetensors,
  type ShardedFiles,
  type ShardedLayout,
  type ShardedWriteOptions,
  formatShardIndex,
  layoutShards,
  openShardedSafetensors,
  parseShardIndex,
  parseShardSize,
  planShards,
  shardFileName,
  writeShardedSafetensors,
} from "./sharded.js";
