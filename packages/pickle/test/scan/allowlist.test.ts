import { describe, expect, it } from "vitest";
import { allowlistedNames, classifyGlobal } from "../../src/index.js";
import { SAFE_GLOBALS, SAFE_TORCH_GLOBALS, SCANNER_ONLY_SAFE } from "../../src/scan/risk-rules.js";

/** Split a qualified name at its module: the decoder's names are `module.attr` with a single attribute. */
const split = (q: string): [string, string] => {
  const i = q.lastIndexOf(".");
  return [q.slice(0, i), q.slice(i + 1)];
};

describe("the scanner's safe list and the decoder's allowlist", () => {
  it("every name the decoder reconstructs is safe for the scanner", () => {
    const names = allowlistedNames();
    expect(names.length).toBeGreaterThan(10);
    for (const q of names) expect([q, classifyGlobal(...split(q)).risk]).toEqual([q, "safe"]);
  });

  it("the safe list is the decoder's allowlist plus the documented scanner-only names", () => {
    const decoder = new Set(allowlistedNames());
    for (const q of SAFE_GLOBALS) expect([q, decoder.has(q) || SCANNER_ONLY_SAFE.has(q)]).toEqual([q, true]);
    // A scanner-only name the decoder has since allowlisted no longer needs its note.
    for (const q of SCANNER_ONLY_SAFE.keys()) expect([q, decoder.has(q)]).toEqual([q, false]);
    for (const q of SCANNER_ONLY_SAFE.keys()) expect([q, classifyGlobal(...split(q)).risk]).toEqual([q, "safe"]);
  });

  it("torch names are safe in torch files only", () => {
    for (const q of ["torch.serialization._get_layout", "torch.per_channel_affine", "torch.sparse_csr", "argparse.Namespace", "torch._utils._rebuild_tensor_v2"]) {
      expect(SAFE_TORCH_GLOBALS.has(q)).toBe(true);
      expect([q, classifyGlobal(...split(q), { torch: true }).risk]).toEqual([q, "safe"]);
      expect([q, classifyGlobal(...split(q)).risk]).toEqual([q, "suspicious"]);
    }
    // The rest of torch.serialization stays dangerous even in torch files.
    expect(classifyGlobal("torch.serialization", "load", { torch: true }).risk).toBe("dangerous");
  });
});
