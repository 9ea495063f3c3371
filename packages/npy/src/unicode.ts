/**
 * String tensors as numpy unicode arrays ('<U{n}'): what numpy.save writes
 * for an array of str, e.g. a scikit-learn classifier's text labels. Each
 * element is n UTF-32LE code units, n the longest element's length in code
 * points, shorter ones padded with NULs (numpy format: a 'U' item holds
 * itemsize / 4 code points and strips trailing NULs when read).
 */
import { fail, type Tensor } from "@codec/core";
import { encodeNpyHeader } from "./header.js";

export function encodeNpyStrings(tensor: Tensor): Uint8Array {
  if (tensor.dtype !== "string") return fail("USAGE", "npy", `encodeNpyStrings takes a string tensor, got ${tensor.dtype}`);
  const values = tensor.strings();
  const points = values.map((s) => Array.from(s, (c) => c.codePointAt(0) as number));
  // numpy gives an array of empty strings the itemsize of one code point ('<U1').
  const width = Math.max(1, ...points.map((p) => p.length));
  const header = encodeNpyHeader("string", tensor.shape, { descr: `<U${width}` });
  const out = new Uint8Array(header.length + values.length * width * 4);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length);
  points.forEach((p, i) => {
    for (let j = 0; j < p.length; j++) view.setUint32((i * width + j) * 4, p[j], true);
  });
  return out;
}
