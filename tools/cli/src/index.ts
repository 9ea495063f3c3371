/**
 * @codec/cli: the `codec` command (DESIGN.md section 6). `bin/codec.mjs`
 * calls `main(process.argv.slice(2))` and exits with its status.
 */
export { main, VERSION, type MainOptions } from "./main.js";
export type { CliIO, CliWriter } from "./cli-io.js";
export type { DetectContext, FormatAdapter, Progress, ScanGlobal, ScanResult, WriteOptions } from "./adapter.js";
export { ADAPTERS } from "./formats/index.js";
