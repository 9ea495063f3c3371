/**
 * zfp's coefficient orderings (the "sequency" permutations of
 * src/template/codec{1,2,3,4}.c): after the decorrelating transform the
 * coefficients of a block are coded in order of total sequency, i.e. by
 * i + j + k + l of their position (then by i^2 + j^2 + ...), so that the
 * low-frequency ones, most likely significant, come first. Entry n is the
 * block index (i + 4j + 16k + 64l) of the n-th coded coefficient. The
 * tables were checked against libzfp 1.0.0 with the test vectors in
 * test/fixtures/zfp (every dimension and type decodes bit-exactly).
 */
const PERM_1 = new Uint8Array([0, 1, 2, 3]);

const PERM_2 = new Uint8Array([
  0, 1, 4, 5, 2, 8, 6, 9, 3, 12, 10, 7, 13, 11, 14, 15,
]);

const PERM_3 = new Uint8Array([
  0, 1, 4, 16, 20, 17, 5, 2, 8, 32, 21, 6, 18, 24, 9, 33,
  36, 3, 12, 48, 22, 25, 37, 40, 34, 10, 7, 19, 28, 13, 49, 52,
  41, 38, 26, 23, 29, 53, 11, 35, 44, 14, 50, 56, 42, 27, 39, 45,
  30, 54, 57, 60, 51, 15, 43, 46, 58, 61, 55, 31, 62, 59, 47, 63,
]);

const PERM_4 = new Uint8Array([
  0, 1, 4, 16, 64, 5, 80, 17, 68, 65, 20, 2, 8, 32, 128, 84,
  81, 69, 21, 6, 18, 66, 24, 72, 9, 96, 33, 36, 129, 132, 144, 3,
  12, 48, 192, 85, 82, 70, 22, 73, 25, 88, 37, 100, 97, 148, 145, 133,
  10, 160, 34, 136, 130, 40, 7, 19, 67, 28, 76, 13, 112, 49, 52, 193,
  196, 208, 86, 89, 101, 149, 161, 137, 41, 134, 38, 164, 26, 152, 146, 104,
  98, 74, 83, 71, 23, 77, 29, 92, 53, 116, 113, 212, 209, 197, 11, 35,
  131, 44, 140, 14, 176, 50, 56, 194, 200, 224, 90, 165, 102, 153, 150, 105,
  168, 162, 138, 42, 87, 93, 117, 213, 27, 75, 99, 39, 135, 147, 108, 45,
  141, 156, 30, 78, 177, 180, 54, 114, 120, 57, 198, 210, 216, 201, 225, 228,
  15, 240, 51, 204, 195, 60, 169, 166, 154, 106, 91, 103, 151, 109, 157, 94,
  181, 118, 121, 214, 217, 229, 163, 139, 43, 142, 46, 172, 58, 184, 178, 232,
  226, 202, 241, 205, 61, 199, 55, 244, 31, 220, 211, 124, 115, 79, 170, 167,
  155, 107, 158, 110, 173, 122, 185, 182, 233, 230, 218, 95, 245, 119, 221, 215,
  125, 242, 206, 62, 203, 59, 248, 47, 236, 227, 188, 179, 143, 171, 174, 186,
  234, 246, 222, 126, 219, 123, 249, 111, 237, 231, 189, 183, 159, 252, 243, 207,
  63, 175, 250, 187, 238, 235, 190, 253, 247, 223, 127, 254, 251, 239, 191, 255,
]);

/** The permutation for a block of `dims` dimensions (1..4). */
export function zfpPermutation(dims: number): Uint8Array {
  return dims === 1 ? PERM_1 : dims === 2 ? PERM_2 : dims === 3 ? PERM_3 : PERM_4;
}
