/**
 * Building an ONNX-style graph in code, for architectures whose weights
 * come without a graph (a PyTorch state_dict run with `--arch`): nodes use
 * the runner's ONNX ops, weights are the state_dict's tensors by name.
 */
import { fail, Tensor, type TensorMap } from "@codec/core";
import type { OnnxAttribute, OnnxGraph, OnnxNode } from "@codec/onnx";

const F = "infer";

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers = new Map<string, Tensor>();
  private next = 0;

  constructor(private readonly weights: ReadonlyMap<string, Tensor>) {}

  has(name: string): boolean {
    return this.weights.has(name);
  }

  /** A weight by its state_dict name, added as an initializer. */
  weight(name: string): string {
    const t = this.weights.get(name);
    if (t === undefined) return fail("CORRUPT", F, `the state_dict has no '${name}' (is it the right --arch?)`);
    this.initializers.set(name, t);
    return name;
  }

  shape(name: string): readonly number[] {
    const t = this.weights.get(name);
    if (t === undefined) return fail("CORRUPT", F, `the state_dict has no '${name}' (is it the right --arch?)`);
    return t.shape;
  }

  node(opType: string, inputs: string[], attrs: Record<string, number | number[]> = {}): string {
    const out = `t${this.next++}`;
    const attributes = new Map<string, OnnxAttribute>();
    for (const [name, v] of Object.entries(attrs)) {
      if (Array.isArray(v)) attributes.set(name, { name, type: 7, ints: v });
      else if (Number.isInteger(v)) attributes.set(name, { name, type: 2, i: v });
      else attributes.set(name, { name, type: 1, f: v });
    }
    this.nodes.push({ name: `${opType}_${this.next}`, opType, domain: "", inputs, outputs: [out], attributes });
    return out;
  }

  /** nn.Conv2d `prefix` (weight [out, in/groups, kh, kw], optional bias). */
  conv(prefix: string, x: string, stride: number, padding: number, groups = 1, dilation = 1): string {
    const w = this.shape(`${prefix}.weight`);
    const inputs = [x, this.weight(`${prefix}.weight`)];
    if (this.has(`${prefix}.bias`)) inputs.push(this.weight(`${prefix}.bias`));
    return this.node("Conv", inputs, { kernel_shape: [w[2], w[3]], strides: [stride, stride], pads: [padding, padding, padding, padding], group: groups, dilations: [dilation, dilation] });
  }

  /** nn.BatchNorm2d `prefix` in eval mode. */
  batchNorm(prefix: string, x: string, epsilon = 1e-5): string {
    return this.node("BatchNormalization", [x, this.weight(`${prefix}.weight`), this.weight(`${prefix}.bias`), this.weight(`${prefix}.running_mean`), this.weight(`${prefix}.running_var`)], { epsilon });
  }

  relu(x: string): string {
    return this.node("Relu", [x]);
  }

  /** A float32 scalar constant as an initializer. */
  scalar(name: string, value: number): string {
    if (!this.initializers.has(name)) this.initializers.set(name, new Tensor({ dtype: "float32", shape: [], data: new Uint8Array(new Float32Array([value]).buffer) }));
    return name;
  }

  relu6(x: string): string {
    // Clip takes its bounds as inputs since opset 11.
    return this.node("Clip", [x, this.scalar("codec.relu6.min", 0), this.scalar("codec.relu6.max", 6)]);
  }

  maxPool(x: string, kernel: number, stride: number, padding: number): string {
    return this.node("MaxPool", [x], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [padding, padding, padding, padding] });
  }

  add(a: string, b: string): string {
    return this.node("Add", [a, b]);
  }

  /** nn.AdaptiveAvgPool2d((h, w)). */
  adaptiveAvgPool(x: string, h: number, w: number): string {
    return h === 1 && w === 1 ? this.node("GlobalAveragePool", [x]) : this.node("codec.AdaptiveAveragePool2d", [x], { output_size: [h, w] });
  }

  flatten(x: string): string {
    return this.node("Flatten", [x], { axis: 1 });
  }

  /** nn.Linear `prefix`: x @ weight.T + bias. */
  linear(prefix: string, x: string): string {
    const inputs = [x, this.weight(`${prefix}.weight`)];
    if (this.has(`${prefix}.bias`)) inputs.push(this.weight(`${prefix}.bias`));
    return this.node("Gemm", inputs, { transB: 1 });
  }

  graph(name: string, input: string, output: string): OnnxGraph {
    // The last node's output is renamed to the graph output.
    const last = this.nodes[this.nodes.length - 1];
    if (last === undefined || !last.outputs.includes(output)) fail("CORRUPT", F, "graph without an output node");
    last.outputs = ["output"];
    return {
      name,
      nodes: this.nodes,
      inputs: [{ name: input, elemType: 1, shape: null }],
      outputs: [{ name: "output", elemType: 1, shape: null }],
      initializers: this.initializers,
    };
  }
}

/**
 * The state_dict's tensors by name, without a common wrapper prefix
 * (`module.` from DataParallel, `model.`/`state_dict.` from checkpoints)
 * and without `num_batches_tracked` counters.
 */
export async function stateDictWeights(map: TensorMap, marker: string): Promise<Map<string, Tensor>> {
  const names = map.names();
  const hit = names.find((n) => n === marker || n.endsWith(`.${marker}`));
  if (hit === undefined) return fail("CORRUPT", F, `the file has no '${marker}': not a state_dict of this architecture`);
  const prefix = hit.slice(0, hit.length - marker.length);
  const out = new Map<string, Tensor>();
  for (const n of names) {
    if (!n.startsWith(prefix) || n.endsWith("num_batches_tracked")) continue;
    const t = await map.get(n);
    out.set(n.slice(prefix.length), t);
  }
  return out;
}
