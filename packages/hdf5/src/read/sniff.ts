import { registerFormat } from "@codec/core";
import { SIGNATURE } from "./superblock.js";

/** The signature at 0 or at a user-block boundary 512, 1024, 2048, ... (spec II.A). */
export function detectHdf5(head: Uint8Array): number {
  for (let at = 0; at + 8 <= head.length; at = at === 0 ? 512 : at * 2) {
    let ok = true;
    for (let i = 0; i < 8; i++) if (head[at + i] !== SIGNATURE[i]) ok = false;
    if (ok) return 2;
  }
  return 0;
}

export function registerHdf5Format(): void {
  registerFormat({ format: "hdf5", extensions: ["h5", "hdf5", "hdf", "he5", "nc"], detect: (head) => detectHdf5(head) });
}
