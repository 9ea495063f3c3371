/**
 * Building an ONNX-style graph in code, for architectures whose weights
 * come without a graph (a PyTorch state_dict run with `--arch`): nodes use
 * the runner's ONNX ops, weights are the state_dict's tensors by name.
 */
import { fail, Tensor, type TensorMap } from "@codec/core";
import type { OnnxAttribute, OnnxGraph, OnnxNode } from "@codec/onnx";

const F = "infer";

/** A node attribute: ints, an int or float, a float that happens to be integral, or a string. */
/** The activations torchvision's blocks use. */
export type Activation = "none" | "relu" | "relu6" | "hardswish" | "hardsigmoid" | "sigmoid" | "silu" | "gelu";

export type Attr = number | number[] | { f: number } | string;

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers = new Map<string, Tensor>();
  private next = 0;

  constructor(readonly weights: ReadonlyMap<string, Tensor>) {}

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

  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.nodeOutputs(opType, inputs, 1, attrs)[0];
  }

  /** A node with `count` outputs (Split). Integral numbers become int attributes unless wrapped by `float()`. */
  nodeOutputs(opType: string, inputs: string[], count: number, attrs: Record<string, Attr> = {}): string[] {
    const outputs: string[] = [];
    for (let i = 0; i < count; i++) outputs.push(`t${this.next++}`);
    const attributes = new Map<string, OnnxAttribute>();
    for (const [name, v] of Object.entries(attrs)) {
      if (Array.isArray(v)) attributes.set(name, { name, type: 7, ints: v });
      else if (typeof v === "object") attributes.set(name, { name, type: 1, f: v.f });
      else if (typeof v === "string") attributes.set(name, { name, type: 3, s: new TextEncoder().encode(v) });
      else if (Number.isInteger(v)) attributes.set(name, { name, type: 2, i: v });
      else attributes.set(name, { name, type: 1, f: v });
    }
    this.nodes.push({ name: `${opType}_${this.next}`, opType, domain: "", inputs: [...inputs], outputs, attributes });
    return outputs;
  }

  /** nn.Conv2d `prefix` (weight [out, in/groups, kh, kw], optional bias); padding is one size or [rows, columns]. */
  conv(prefix: string, x: string, stride: number, padding: number | readonly [number, number], groups = 1, dilation = 1): string {
    const w = this.shape(`${prefix}.weight`);
    const inputs = [x, this.weight(`${prefix}.weight`)];
    if (this.has(`${prefix}.bias`)) inputs.push(this.weight(`${prefix}.bias`));
    const [ph, pw] = typeof padding === "number" ? [padding, padding] : padding;
    return this.node("Conv", inputs, { kernel_shape: [w[2], w[3]], strides: [stride, stride], pads: [ph, pw, ph, pw], group: groups, dilations: [dilation, dilation] });
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

  /** A float32 constant tensor as an initializer. */
  constant(name: string, shape: readonly number[], values: readonly number[]): string {
    if (!this.initializers.has(name)) this.initializers.set(name, new Tensor({ dtype: "float32", shape, data: new Uint8Array(new Float32Array(values).buffer) }));
    return name;
  }

  relu6(x: string): string {
    // Clip takes its bounds as inputs since opset 11.
    return this.node("Clip", [x, this.scalar("codec.relu6.min", 0), this.scalar("codec.relu6.max", 6)]);
  }

  /** nn.MaxPool2d; `ceil` is its ceil_mode (windows may start in the last partial stride). */
  maxPool(x: string, kernel: number, stride: number, padding: number, ceil = false): string {
    return this.node("MaxPool", [x], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [padding, padding, padding, padding], ceil_mode: ceil ? 1 : 0 });
  }

  /** nn.AvgPool2d / F.avg_pool2d with torch's default count_include_pad=True (padding counts in the divisor). */
  avgPool(x: string, kernel: number, stride: number, padding = 0): string {
    return this.node("AveragePool", [x], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [padding, padding, padding, padding], count_include_pad: 1 });
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

  /** An int64 constant (shapes, perms, slice bounds) as an initializer. */
  int64s(values: readonly number[]): string {
    const name = `codec.i64.${values.join("_")}`;
    if (!this.initializers.has(name)) {
      const data = new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
      this.initializers.set(name, new Tensor({ dtype: "int64", shape: [values.length], data }));
    }
    return name;
  }

  /**
   * torchvision's Conv2dNormActivation at `prefix`: `.0` the conv (padding
   * (k - 1) / 2 * dilation, its default), `.1` the batch norm, then `act`.
   */
  convBnAct(prefix: string, x: string, stride: number, act: Activation, epsilon = 1e-5, groups = 1, dilation = 1): string {
    const k = this.shape(`${prefix}.0.weight`)[2];
    return this.activation(act, this.batchNorm(`${prefix}.1`, this.conv(`${prefix}.0`, x, stride, ((k - 1) / 2) * dilation, groups, dilation), epsilon));
  }

  /** A depthwise conv's group count: its output channels (weight [C, 1, k, k]). */
  depthwiseGroups(prefix: string): number {
    return this.shape(`${prefix}.weight`)[0];
  }

  activation(act: Activation, x: string): string {
    switch (act) {
      case "none":
        return x;
      case "relu":
        return this.relu(x);
      case "relu6":
        return this.relu6(x);
      case "hardswish":
        // nn.Hardswish: x * relu6(x + 3) / 6, ONNX HardSwish-14.
        return this.node("HardSwish", [x]);
      case "hardsigmoid":
        // nn.Hardsigmoid: relu6(x + 3) / 6 = max(0, min(1, x / 6 + 1 / 2)).
        return this.node("HardSigmoid", [x], { alpha: 1 / 6, beta: 0.5 });
      case "sigmoid":
        return this.node("Sigmoid", [x]);
      case "silu":
        // nn.SiLU: x * sigmoid(x).
        return this.mul(x, this.node("Sigmoid", [x]));
      case "gelu":
        // nn.GELU() default approximate='none': 0.5 x (1 + erf(x / sqrt 2)).
        return this.node("Gelu", [x]);
    }
  }

  mul(a: string, b: string): string {
    return this.node("Mul", [a, b]);
  }

  concat(xs: string[], axis = 1): string {
    return this.node("Concat", xs, { axis });
  }

  /** torchvision.ops.SqueezeExcitation at `prefix`: x * scale(fc2(act(fc1(avgpool(x))))). */
  squeezeExcite(prefix: string, x: string, act: Activation, scale: Activation): string {
    let s = this.node("GlobalAveragePool", [x]);
    s = this.activation(act, this.conv(`${prefix}.fc1`, s, 1, 0));
    s = this.activation(scale, this.conv(`${prefix}.fc2`, s, 1, 0));
    return this.mul(s, x);
  }

  reshape(x: string, shape: readonly number[]): string {
    return this.node("Reshape", [x, this.int64s(shape)]);
  }

  transpose(x: string, perm: number[]): string {
    return this.node("Transpose", [x], { perm });
  }

  /** `count` equal parts along `axis` (torch.chunk of a divisible size). */
  split(x: string, axis: number, count: number): string[] {
    return this.nodeOutputs("Split", [x], count, { axis });
  }

  /** ONNX Slice over `axes` (ends past the size clamp, as in Python slicing). */
  slice(x: string, axes: number[], starts: number[], ends: number[], steps?: number[]): string {
    const inputs = [x, this.int64s(starts), this.int64s(ends), this.int64s(axes)];
    if (steps !== undefined) inputs.push(this.int64s(steps));
    return this.node("Slice", inputs);
  }

  /** Zero padding at the end of each axis by `after[i]` (F.pad with zeros on the leading side). */
  padEnd(x: string, after: number[]): string {
    return this.node("Pad", [x, this.int64s([...after.map(() => 0), ...after])]);
  }

  /** nn.LayerNorm over the last dimension. */
  layerNorm(prefix: string, x: string, epsilon: number): string {
    return this.node("LayerNormalization", [x, this.weight(`${prefix}.weight`), this.weight(`${prefix}.bias`)], { axis: -1, epsilon: { f: epsilon } });
  }

  /** nn.Linear over the last dimension of a tensor of any rank: x @ weight^T + bias. */
  linearLast(prefix: string, x: string): string {
    const wt = this.transpose(this.weight(`${prefix}.weight`), [1, 0]);
    const y = this.node("MatMul", [x, wt]);
    return this.has(`${prefix}.bias`) ? this.add(y, this.weight(`${prefix}.bias`)) : y;
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
