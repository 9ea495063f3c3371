import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  splitting: false,
  // node.ts imports the main entry by name so both share one copy of the classes.
  external: ["@codec/safetensors"],
});
