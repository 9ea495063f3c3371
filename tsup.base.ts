import { type Options, defineConfig } from "tsup";

/**
 * The one build configuration of every package: ESM + CJS + .d.ts per
 * entry, ES2022, no code splitting (each entry is self-contained).
 * A package's tsup.config.ts names its entries and any extra options.
 */
export function packageBuild(entry: Record<string, string>, extra: Options = {}) {
  return defineConfig({ entry, format: ["esm", "cjs"], dts: true, clean: true, target: "es2022", splitting: false, ...extra });
}
