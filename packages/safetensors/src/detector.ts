import { type FormatDetector, registerFormat } from "@codec/core";
import { MAX_HEADER_SIZE } from "./header.js";
import { isJsonWhitespace } from "./strict-json.js";

/**
 * safetensors has no magic number; its structure is the signature: an
 * 8-byte little-endian header length N that fits in the file (and under
 * the reference's 100 MB limit), then the JSON header's '{' (after
 * optional JSON whitespace, which the reference reader accepts).
 */
export const safetensorsDetector: FormatDetector = {
  format: "safetensors",
  extensions: ["safetensors"],
  detect(head: Uint8Array, byteLength: number): number {
    if (head.length < 9 || byteLength < 10) return 0;
    const view = new DataView(head.buffer, head.byteOffset, 8);
    if (view.getUint32(4, true) !== 0) return 0;
    const n = view.getUint32(0, true);
    if (n < 2 || n > MAX_HEADER_SIZE || 8 + n > byteLength) return 0;
    let i = 8;
    while (i < head.length && i < 8 + n && isJsonWhitespace(head[i])) i++;
    return i < head.length && head[i] === 0x7b ? 2 : 0;
  },
};

registerFormat(safetensorsDetector);
