/**
 * Operator implementations by ONNX op type (default domain). Each family
 * of ops lives in its own module under ops/ and adds itself with
 * `registerOps`; ops/index.ts imports every family.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxAttribute, OnnxGraph } from "@codec/onnx";
import type { RTensor } from "../tensor.js";

/** What an op sees of its node: attributes with defaults, the opset, and a way to run subgraphs. */
export interface OpContext {
  readonly opType: string;
  /** Opset version of the default domain (ops changed meaning across versions). */
  readonly opset: number;
  readonly nodeName: string;
  /** How many outputs the node declares (Split with no sizes splits into that many). */
  readonly outputCount?: number;
  has(name: string): boolean;
  int(name: string, fallback?: number): number;
  ints(name: string, fallback?: number[]): number[];
  float(name: string, fallback?: number): number;
  floats(name: string, fallback?: number[]): number[];
  string(name: string, fallback?: string): string;
  strings(name: string, fallback?: string[]): string[];
  tensor(name: string): Tensor | undefined;
  graph(name: string): OnnxGraph | undefined;
  attribute(name: string): OnnxAttribute | undefined;
  /** Runs a subgraph (If/Loop/Scan bodies) with its inputs bound by position; outer values are visible. */
  runGraph(graph: OnnxGraph, inputs: (RTensor | undefined)[]): RTensor[];
}

/**
 * An op: its inputs by position (undefined for an omitted optional input,
 * written "" in the node), its outputs by position. Ops never modify their
 * inputs.
 */
export type OpImpl = (inputs: (RTensor | undefined)[], ctx: OpContext) => RTensor[];

const OPS = new Map<string, OpImpl>();

export function registerOps(ops: Record<string, OpImpl>): void {
  for (const [name, impl] of Object.entries(ops)) OPS.set(name, impl);
}

export function opFor(opType: string, domain: string): OpImpl | undefined {
  if (domain !== "" && domain !== "ai.onnx") return undefined;
  return OPS.get(opType);
}

export function registeredOps(): string[] {
  return [...OPS.keys()].sort();
}

/** The input at `i`, which the op requires. */
export function input(inputs: readonly (RTensor | undefined)[], i: number, ctx: OpContext): RTensor {
  const t = inputs[i];
  if (t === undefined) return fail("CORRUPT", "infer", `${ctx.opType} node '${ctx.nodeName}' is missing input ${i}`);
  return t;
}
