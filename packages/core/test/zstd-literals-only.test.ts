import { createHash } from "node:crypto";
import { isCodecError, zstdDecompress } from "@codec/core";
import { describe, expect, it } from "vitest";

/**
 * Blocks whose sequences section is empty (nbSeq = 0) have their Huffman
 * literals decoded straight into the output. These frames (python3-zstandard
 * level 1 with checksum, 200 and 600 bytes drawn from a skewed 26-letter
 * alphabet, random.seed(5)) are single such blocks: one Huffman stream for
 * 200 bytes, four for 600. Decoding them after another frame puts the block
 * at a non-zero output position.
 */
const ONE_STREAM =
  "KLUv/STIRQQAggwhF4AlcQMI2CSJBK0Q8k8YO2IvRmIkRgLcivfRVXNlf87hQldKDEdQoqM5FOGZctFlt2iXe7cjyZoTVQjmxvAgDmSARm48dB0jdLJBVMwowR/c/UyVMpX0MhnrVZkr7cXtksNkPfgwEWWei/lPEwDc+ilhgYA/YOvHN9ldlKEFutDprHE0AL4Bp9w=";
const FOUR_STREAMS =
  "KLUv/WRYAQ0LAIZlVxeQpWkDDRqRyEWTm5D/vd9ym/D///8/rlQATwBQAIbIDEgYHy8Fga35yN2ACDgTax/ykJd7cbtSNhV8A2i/iFpgUfhzYjA3ingKs8L+hcMJ88Hp8Aoivfxd9BGgs6SCDYBd488d1hTel/p+5LkX5AwkA3hqVJuTyisL1jbH+mJ8+fMBoN3AdQgWsM2M3Kz/wAoIVYs5WBEK9XkrN9sPV9l9F/e+J23enqRJozJLCN0pqyoMiChYSOKQ5cj6ymMyZ8I/S+Nuzvj+RqqUsCHLGiYacwsFbhL25AOe4frpSZagV43VqYfm0u1coa1B6rc/12oLLxFyyylgQE5D8YdaPL09jI3Ki5cwOy5JmbkaxflFAmiuQ+B/NTd5fxtMRMhyZfJQg3bznu6y+8dijnc5PEhanX6JKvR4Nd3Aj+bb/XPHjyrQm/kHloe8hPgQB3Z/l5Dp54gOFj977TXMdgMAovU05w==";
const cases = [
  { name: "one stream", b64: ONE_STREAM, size: 200, sha: "71fe52c32bddb559614a0ed7cc26bdcde1c4fc270814e7375f551300ad2a5d48", sha2: "baaebe92d1ee05b7a0a5aedd7c8d373ab6ab9af66db3616ab0af59b018c119f3" },
  { name: "four streams", b64: FOUR_STREAMS, size: 600, sha: "b73bbf34a0d09739f133a27354a404fcfe8122cdab28c375c96166516df34330", sha2: "8639983b21d35daca7cdb4b83a0e33ca2b8fcd8590abb1b7dbaec26e65e64f44" },
];
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, "base64"));

describe("zstd literals-only blocks (decoded in place)", () => {
  for (const c of cases) {
    it(`${c.name}: decodes alone and after another frame`, () => {
      const frame = bytes(c.b64);
      const out = zstdDecompress(frame, 1 << 20);
      expect(out.length).toBe(c.size);
      expect(sha256(out)).toBe(c.sha);
      const two = new Uint8Array(frame.length * 2);
      two.set(frame);
      two.set(frame, frame.length);
      const out2 = zstdDecompress(two, 1 << 20);
      expect(out2.length).toBe(2 * c.size);
      expect(sha256(out2)).toBe(c.sha2);
    });

    it(`${c.name}: a limit below the content is LIMIT, a corrupted literal is CORRUPT`, () => {
      const frame = bytes(c.b64);
      const code = (input: Uint8Array, max: number): string => {
        try {
          zstdDecompress(input, max);
          return "ok";
        } catch (e) {
          if (isCodecError(e)) return e.code;
          throw e;
        }
      };
      expect(code(frame, c.size - 1)).toBe("LIMIT");
      // Flip one bit in the middle of the Huffman streams: the checksum (or the stream end) catches it.
      const bad = frame.slice();
      bad[Math.floor(bad.length / 2)] ^= 0x10;
      expect(code(bad, 1 << 20)).toBe("CORRUPT");
    });
  }
});
