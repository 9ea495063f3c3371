import { describe, expect, it } from "vitest";
import { formatBytes, formatShape, renderTable } from "./table.js";
import { jsonText } from "./json-text.js";

describe("text output", () => {
  it("formats byte sizes with binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.50 KiB");
    expect(formatBytes(100 * 2 ** 30)).toBe("100 GiB");
  });

  it("formats shapes and aligns columns", () => {
    expect(formatShape([])).toBe("[]");
    expect(formatShape([2, 3])).toBe("[2, 3]");
    expect(renderTable(["name", "size"], [["a", "1 B"], ["long", "10 B"]], new Set([1]))).toEqual(["name  size", "a      1 B", "long  10 B"]);
  });

  it("prints JSON with shapes on one line, parseable back", () => {
    const doc = { format: "npy", tensors: [{ name: "a", shape: [1, 2] }], metadata: {} };
    const text = jsonText(doc);
    expect(text).toContain('"shape": [1, 2]');
    expect(JSON.parse(text)).toEqual(doc);
  });
});
