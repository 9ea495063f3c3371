import type { TensorMap } from "@codec/core";

/**
 * The metadata that `convert` carries across formats (DESIGN.md section 6:
 * "across formats it carries the tensors and string metadata"): the
 * top-level entries whose values are strings. Codecs nest their own format
 * details (versions, layouts) in objects, so those stay behind.
 */
export function stringMetadata(map: TensorMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map.metadata)) if (typeof v === "string") out[k] = v;
  return out;
}
