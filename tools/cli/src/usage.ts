import { CONVERT_USAGE } from "./commands/convert.js";
import { INSPECT_USAGE } from "./commands/inspect.js";
import { RUN_USAGE } from "./commands/run.js";
import { SCAN_USAGE } from "./commands/scan.js";
import type { FormatAdapter } from "./adapter.js";

export function usageText(adapters: readonly FormatAdapter[]): string {
  const formats = [...new Set(adapters.map((a) => a.format))].join(", ");
  const outputs = adapters.map((a) => `${a.format} (${a.outputExtensions.map((e) => `.${e}`).join(" ")})`).join(", ");
  const extraFlags = [...new Set(adapters.flatMap((a) => a.inspectFlags ?? []))];
  return [
    "Usage: codec <command> [options]",
    "",
    "Commands:",
    `  ${INSPECT_USAGE}${extraFlags.length > 0 ? ` [${extraFlags.join("] [")}]` : ""}`,
    "      List tensors (name, dtype, shape, size). --json prints one JSON document;",
    "      --digest adds the SHA-256 of each tensor's C-order little-endian bytes.",
    `  ${CONVERT_USAGE}`,
    "      Convert; the output format comes from OUT's extension. Same format in and",
    "      out re-encodes losslessly; across formats, tensors and string metadata carry.",
    `  ${SCAN_USAGE}`,
    "      Report what a pickle-bearing file would import or call; exit 1 if dangerous.",
    `  ${RUN_USAGE}`,
    "      Reference inference (ONNX models): inputs are .npy or ONNX TensorProto .pb files;",
    "      each output is written to DIR/<output name>.npy.",
    "",
    "Options: -h, --help  this text    --version  print the version    --debug  stack traces on errors",
    "",
    `Input formats (detected from content): ${formats}`,
    `Output formats (from the extension): ${outputs}`,
    "",
    "Exit status: 0 success, 1 failed operation or dangerous scan, 2 usage error.",
  ].join("\n");
}
