import { createHash } from "node:crypto";
import type { Tensor } from "@codec/core";

/**
 * `inspect --digest` (DESIGN.md section 6): hex SHA-256 of the tensor's
 * C-contiguous little-endian element bytes, which is exactly what a
 * Tensor's `data` holds. Bool elements count as one byte 0/1 (any nonzero
 * stored byte is true, as numpy and torch read it). String tensors have no
 * digest.
 */
export function tensorDigest(tensor: Tensor): string | undefined {
  if (tensor.dtype === "string") return undefined;
  let bytes = tensor.bytes();
  if (tensor.dtype === "bool") {
    let clean = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] > 1) {
        clean = false;
        break;
      }
    }
    if (!clean) {
      const norm = new Uint8Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) norm[i] = bytes[i] === 0 ? 0 : 1;
      bytes = norm;
    }
  }
  const hash = createHash("sha256");
  // update() takes at most 2 GiB - 1 per call on some Node versions; feed large tensors in pieces.
  const step = 1 << 30;
  for (let i = 0; i < bytes.length; i += step) hash.update(bytes.subarray(i, Math.min(bytes.length, i + step)));
  return hash.digest("hex");
}
