import type { JsonValue } from "@codec/core";

/**
 * JSON for `--json` output: indented for people, but arrays of scalars
 * (shapes) stay on one line. Always one valid JSON document.
 */
export function jsonText(value: JsonValue, indent = ""): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    return `[\n${value.map((v) => inner + jsonText(v, inner)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${jsonText(value[k], inner)}`).join(",\n")}\n${indent}}`;
}
