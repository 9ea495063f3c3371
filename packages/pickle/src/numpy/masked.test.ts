import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openPickle } from "../tensormap.js";

// pickle.dumps({"m": np.ma.masked_array(np.asfortranarray(np.arange(6, dtype=">i2").reshape(2, 3)),
//   mask=[[0, 1, 0], [0, 0, 1]]), "o": np.ma.masked_array(np.array([1, "a"], dtype=object))}, protocol=2)
// written by numpy 1.24 / CPython 3.11.
const HEX =
  "80027d71002858010000006d7101636e756d70792e6d612e636f72650a5f6d617265636f6e7374727563740a710228636e756d70792e6d612e636f72650a4d61736b656441727261790a7103636e756d70790a6e6461727261790a71044b008571055801000000627106747107527108284b014b024b03867109636e756d70790a64747970650a710a58020000006932710b898887710c52710d284b0358010000003e710e4e4e4e4affffffff4affffffff4b0074710f6288635f636f646563730a656e636f64650a7110580c000000000000030001000400020005711158060000006c6174696e31711286711352711468105806000000000001000001711568128671165271174e7471186258010000006f7119680228680368046805680674711a52711b284b014b0285711c680a58020000004f38711d898887711e52711f284b0358010000007c71204e4e4e4affffffff4affffffff4b3f74712162895d7122284b01580100000061712365681058020000000000712468128671255271264e74712762752e";

describe("numpy masked arrays", () => {
  it("lists a MaskedArray's data as a tensor (C order, little-endian), not its mask; object ones are not tensors", async () => {
    const m = await openPickle(Buffer.from(HEX, "hex"));
    expect(m.names()).toEqual(["m"]);
    expect(m.info("m")).toEqual({ name: "m", dtype: "int16", shape: [2, 3] });
    const t = await m.get("m");
    expect(Array.from(t.typed() as Int16Array)).toEqual([0, 1, 2, 3, 4, 5]);
    // sha256 of np.ascontiguousarray(np.asarray(m)).astype("<i2").tobytes() in Python.
    expect(createHash("sha256").update(t.bytes()).digest("hex")).toBe("d19c56fe954b4adbb040580d9ae4e98a692b51f8e2cab91d7ddecb903cec9204");
  });
});
