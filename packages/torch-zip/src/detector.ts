import type { FormatDetector } from "@codec/core";
import { looksLegacy } from "./legacy-reader.js";
import { looksZip } from "./torch-file.js";

/**
 * Content sniffing for `registerFormat` (DESIGN.md section 6): a legacy
 * torch file starts with the pickled magic number (score 2); a zip is only
 * plausible (score 1) from its head, since npz and Keras files are zips too
 * (the CLI adapter looks for `<root>/data.pkl` in the directory).
 */
export const torchDetector: FormatDetector = {
  format: "torch",
  extensions: ["pt", "pth", "bin", "ckpt"],
  detect(head: Uint8Array): number {
    if (looksLegacy(head)) return 2;
    return looksZip(head) ? 1 : 0;
  },
};
