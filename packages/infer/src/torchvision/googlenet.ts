/**
 * torchvision GoogLeNet (models/googlenet.py) in eval mode. The auxiliary
 * classifiers (aux1, aux2) only run in training, so their weights are
 * ignored. `transform` is GoogLeNet's transform_input: False for
 * `googlenet(weights=None)`, True when torchvision loads its ImageNet
 * weights (the state_dict does not record it).
 */
import type { Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { GraphBuilder } from "./graph-builder.js";

/**
 * BasicConv2d (GoogLeNet and Inception v3): conv without bias,
 * BatchNorm2d(eps=0.001), ReLU. `same` pads by half the kernel, as every
 * padded conv of both models does; the others are unpadded.
 */
export function basicConv(g: GraphBuilder, p: string, x: string, stride = 1, same = true): string {
  const [, , kh, kw] = g.shape(`${p}.conv.weight`);
  const padding: [number, number] = same ? [(kh - 1) / 2, (kw - 1) / 2] : [0, 0];
  return g.relu(g.batchNorm(`${p}.bn`, g.conv(`${p}.conv`, x, stride, padding), 1e-3));
}

function inception(g: GraphBuilder, p: string, x: string): string {
  const b1 = basicConv(g, `${p}.branch1`, x);
  const b2 = basicConv(g, `${p}.branch2.1`, basicConv(g, `${p}.branch2.0`, x));
  const b3 = basicConv(g, `${p}.branch3.1`, basicConv(g, `${p}.branch3.0`, x));
  const b4 = basicConv(g, `${p}.branch4.1`, g.maxPool(x, 3, 1, 1, true));
  return g.concat([b1, b2, b3, b4]);
}

/** x[:, c] * (std_c / 0.5) + (mean_c - 0.5) / 0.5 per channel, as _transform_input does. */
export function transformInput(g: GraphBuilder, x: string): string {
  const scale = g.constant("codec.googlenet.scale", [1, 3, 1, 1], [0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5]);
  const shift = g.constant("codec.googlenet.shift", [1, 3, 1, 1], [(0.485 - 0.5) / 0.5, (0.456 - 0.5) / 0.5, (0.406 - 0.5) / 0.5]);
  return g.add(g.mul(x, scale), shift);
}

export function googlenet(transform: boolean): (w: ReadonlyMap<string, Tensor>) => OnnxGraph {
  return (w) => {
    const g = new GraphBuilder(w);
    let x = transform ? transformInput(g, "input") : "input";
    x = g.maxPool(basicConv(g, "conv1", x, 2), 3, 2, 0, true);
    x = g.maxPool(basicConv(g, "conv3", basicConv(g, "conv2", x)), 3, 2, 0, true);
    x = inception(g, "inception3b", inception(g, "inception3a", x));
    x = g.maxPool(x, 3, 2, 0, true);
    for (const name of ["4a", "4b", "4c", "4d", "4e"]) x = inception(g, `inception${name}`, x);
    x = g.maxPool(x, 2, 2, 0, true);
    x = inception(g, "inception5b", inception(g, "inception5a", x));
    x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
    return g.graph("googlenet", "input", g.linear("fc", x));
  };
}
