import { registerFormat, startsWith } from "@codec/core";
import { NPY_MAGIC } from "./header.js";

/**
 * Content sniffing (core sniff.ts). A .npy starts with \x93NUMPY and a
 * supported version; a .npz is a zip, which only its central directory can
 * confirm (every member ending in `.npy`), so from the head alone it is
 * merely plausible: a local file header whose first name ends in `.npy`.
 */
export function detectNpy(head: Uint8Array): number {
  if (!startsWith(head, NPY_MAGIC)) return 0;
  return head.length >= 8 && head[6] >= 1 && head[6] <= 3 && head[7] === 0 ? 2 : 1;
}

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];

export function detectNpzHead(head: Uint8Array): number {
  if (!startsWith(head, ZIP_LOCAL) || head.length < 30) return 0;
  const nameLength = head[26] | (head[27] << 8);
  if (head.length < 30 + nameLength) return 0;
  let name = "";
  for (let i = 0; i < nameLength; i++) name += String.fromCharCode(head[30 + i]);
  return name.endsWith(".npy") ? 1 : 0;
}

export function registerNpyFormats(): void {
  registerFormat({ format: "npy", extensions: ["npy"], detect: (head) => detectNpy(head) });
  registerFormat({ format: "npz", extensions: ["npz"], detect: (head) => detectNpzHead(head) });
}
