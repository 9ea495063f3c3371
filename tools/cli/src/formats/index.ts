import type { FormatAdapter } from "../adapter.js";

/**
 * Every format the CLI knows, one adapter each (DESIGN.md section 6).
 * Each codec's adapter file adds itself here with one import and one entry.
 */
export const ADAPTERS: FormatAdapter[] = [];
