import { describe, expect, it } from "vitest";
import { tensor } from "../tensor.js";
import { codecError, f32, runOp, t, values } from "./test-support.js";

// Pool: 1-grams [1], [2]; 2-grams [1, 2], [2, 3]; columns 0..3.
const ints = { pool_int64s: [1, 2, 1, 2, 2, 3], ngram_counts: [0, 2], ngram_indexes: [0, 1, 2, 3], min_gram_length: 1, max_gram_length: 2, mode: "TF" };

describe("TfIdfVectorizer", () => {
  it("counts unigrams and adjacent bigrams (TF)", () => {
    const [y] = runOp("TfIdfVectorizer", [t("int64", [5], [1, 2, 3, 1, 2])], ints, 9);
    expect(y.dtype).toBe("float32");
    expect(y.shape).toEqual([4]);
    // 1 twice, 2 twice, (1,2) twice, (2,3) once.
    expect(values(y)).toEqual([2, 2, 2, 1]);
  });

  it("counts skip-grams once per skip distance, unigrams once, and never across rows", () => {
    const [y] = runOp("TfIdfVectorizer", [t("int32", [2, 3], [1, 9, 2, 2, 1, 3])], { ...ints, max_skip_count: 1 }, 9);
    expect(y.shape).toEqual([2, 4]);
    // Row 0: 1, 2 and (1,2) at skip 1. Row 1: 2, 1 and (2,3) at skip 1.
    expect(values(y)).toEqual([1, 1, 1, 0, 1, 1, 0, 1]);
  });

  it("applies weights in IDF and TFIDF modes, with string pools", () => {
    const attrs = { pool_strings: ["a", "b"], ngram_counts: [0], ngram_indexes: [1, 0], weights: [0.5, 3], mode: "IDF" };
    const x = tensor("string", [3], ["a", "a", "b"]);
    expect(values(runOp("TfIdfVectorizer", [x], attrs, 9)[0])).toEqual([3, 0.5]);
    expect(values(runOp("TfIdfVectorizer", [x], { ...attrs, mode: "TFIDF" }, 9)[0])).toEqual([3, 1]);
  });

  it("rejects bad pools, modes, ranks and input types", () => {
    const x = t("int64", [2], [1, 2]);
    expect(codecError(() => runOp("TfIdfVectorizer", [x], { ...ints, mode: "BM25" }, 9))).toBe("CORRUPT");
    expect(codecError(() => runOp("TfIdfVectorizer", [x], { ...ints, ngram_counts: [0, 3] }, 9))).toBe("CORRUPT");
    expect(codecError(() => runOp("TfIdfVectorizer", [x], { ...ints, ngram_indexes: [0, 1, 2] }, 9))).toBe("CORRUPT");
    expect(codecError(() => runOp("TfIdfVectorizer", [x], { ...ints, ngram_indexes: [0, 1, 2, -4] }, 9))).toBe("CORRUPT");
    expect(codecError(() => runOp("TfIdfVectorizer", [x], { ...ints, ngram_indexes: [0, 1, 2, 2 ** 40] }, 9))).toBe("LIMIT");
    expect(codecError(() => runOp("TfIdfVectorizer", [x], { ...ints, min_gram_length: 3 }, 9))).toBe("CORRUPT");
    expect(codecError(() => runOp("TfIdfVectorizer", [t("int64", [1, 1, 2], [1, 2])], ints, 9))).toBe("CORRUPT");
    expect(codecError(() => runOp("TfIdfVectorizer", [f32([2], [1, 2])], ints, 9))).toBe("UNSUPPORTED");
    expect(codecError(() => runOp("TfIdfVectorizer", [tensor("string", [1], ["a"])], ints, 9))).toBe("CORRUPT");
  });
});
