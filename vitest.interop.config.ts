import { defineConfig } from "vitest/config";
import { alias } from "./vitest.config";

// The interop suite: files our encoders write are read by the real Python
// libraries (Debian's python3-numpy, python3-torch, python3-h5py, ...).
export default defineConfig({
  resolve: { alias },
  test: { include: ["interop/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000, pool: "forks" },
});
