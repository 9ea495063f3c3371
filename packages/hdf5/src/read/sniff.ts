import { type ByteSource, registerFormat } from "@codec/core";
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

/**
 * Like `detectHdf5`, but also finds the signature past the head: libhdf5
 * searches 0, 512, 1024, 2048, ... up to the end of the file (H5FD_locate_signature),
 * so a user block of 4 KiB or more (h5py `userblock_size=4096`) puts it beyond
 * the first 4096 bytes a format sniffer sees. Reads 8 bytes per candidate offset.
 */
export async function detectHdf5InSource(head: Uint8Array, source: ByteSource): Promise<number> {
  const inHead = detectHdf5(head);
  if (inHead > 0) return inHead;
  let at = 512;
  while (at + 8 <= head.length) at *= 2;
  for (; at + 8 <= source.byteLength; at *= 2) {
    const b = await source.read(at, 8);
    if (detectHdf5(b) > 0) return 2;
  }
  return 0;
}

export function registerHdf5Format(): void {
  registerFormat({ format: "hdf5", extensions: ["h5", "hdf5", "hdf", "he5", "nc"], detect: (head) => detectHdf5(head) });
}
