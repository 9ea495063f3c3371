import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources, so `pnpm test` needs no build.
export const alias = {
  "@codec/core/node": src("./packages/core/src/node/index.ts"),
  "@codec/core": src("./packages/core/src/index.ts"),
  "@codec/safetensors/node": src("./packages/safetensors/src/node.ts"),
  "@codec/safetensors": src("./packages/safetensors/src/index.ts"),
  "@codec/npy": src("./packages/npy/src/index.ts"),
  "@codec/pickle": src("./packages/pickle/src/index.ts"),
  "@codec/torch-zip": src("./packages/torch-zip/src/index.ts"),
  "@codec/hdf5": src("./packages/hdf5/src/index.ts"),
  "@codec/onnx/node": src("./packages/onnx/src/node.ts"),
  "@codec/onnx": src("./packages/onnx/src/index.ts"),
  "@codec/infer": src("./packages/infer/src/index.ts"),
  "@codec/cli": src("./tools/cli/src/index.ts"),
  "@codec/testing": src("./testing/index.ts"),
};

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "tools/cli/src/**/*.test.ts", "tools/cli/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
