export * from "./model.js";
export * from "./read/index.js";
export * from "./write/index.js";
export * from "./keras/index.js";

import { registerHdf5Format } from "./read/sniff.js";

// Content detection for `sniffFormat` (DESIGN.md section 6).
registerHdf5Format();
