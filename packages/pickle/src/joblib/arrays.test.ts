import { describe, expect, it } from "vitest";
import { NdArray } from "../numpy/ndarray.js";
import { PyDict } from "../model.js";
import { decodeJoblib } from "../tensormap.js";
import { encodeJoblib } from "./encode.js";

// joblib 1.2 / numpy 1.24: joblib.dump({"a": np.array([1, 2, 258], dtype=">u2"),
//   "f": np.asfortranarray(np.arange(4, dtype=">f4").reshape(2, 2))}, f)
// joblib.load gives a '<u2' array and an F-contiguous '<f4' one (_ensure_native_byte_order).
const HEX =
  "800495d2000000000000007d94288c0161948c136a6f626c69622e6e756d70795f7069636b6c65948c114e756d70794172726179577261707065729493942981947d94288c08737562636c617373948c056e756d7079948c076e6461727261799493948c057368617065944b0385948c056f72646572948c0143948c056474797065946808680f93948c02753294898887945294284b038c013e944e4e4e4affffffff4affffffff4b007494628c0a616c6c6f775f6d6d617094888c1b6e756d70795f61727261795f616c69676e6d656e745f6279746573944b10756202ffff000100020102954d000000000000008c01669468042981947d94286807680a680b4b024b028694680d8c014694680f68108c02663494898887945294284b0368144e4e4e4affffffff4affffffff4b0074946268168868174b10756203ffffff00000000400000003f80000040400000752e";

function arrays(v: unknown): [NdArray, NdArray] {
  if (!(v instanceof PyDict)) throw new Error("not a dict");
  const a = v.get("a");
  const f = v.get("f");
  if (!(a instanceof NdArray) || !(f instanceof NdArray)) throw new Error("not arrays");
  return [a, f];
}

describe("joblib NumpyArrayWrapper arrays", () => {
  it("come back in native (little-endian) byte order, as joblib.load returns them", () => {
    const [a, f] = arrays(decodeJoblib(Buffer.from(HEX, "hex")).value);
    expect(a.dtype.str).toBe("<u2");
    expect(Array.from(a.tensor().typed() as Uint16Array)).toEqual([1, 2, 258]);
    expect(f.dtype.str).toBe("<f4");
    expect(f.fortran).toBe(true);
    expect(Array.from(f.tensor().typed() as Float32Array)).toEqual([0, 1, 2, 3]);
  });

  it("re-encode with the dtype Python saw, not the wrapper's big-endian one", () => {
    const d = decodeJoblib(Buffer.from(HEX, "hex"));
    const [a, f] = arrays(decodeJoblib(encodeJoblib(d.value)).value);
    expect(a.dtype.str).toBe("<u2");
    expect(Array.from(a.tensor().typed() as Uint16Array)).toEqual([1, 2, 258]);
    expect(f.dtype.str).toBe("<f4");
    expect(Array.from(f.tensor().typed() as Float32Array)).toEqual([0, 1, 2, 3]);
  });
});
