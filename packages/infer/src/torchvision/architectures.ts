/**
 * torchvision classification architectures as graphs over a state_dict
 * (`codec run model.pt --arch resnet18`), following torchvision's model
 * definitions: ResNet (BasicBlock / Bottleneck, stride on the 3x3 conv,
 * ResNeXt and wide variants by their grouped-conv shapes), MobileNetV2,
 * VGG (with or without batch norm) and AlexNet. Block counts come from the
 * state_dict's names, so a checkpoint and its arch must agree.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { GraphBuilder } from "./graph-builder.js";

const F = "infer";

function blocks(w: ReadonlyMap<string, Tensor>, prefix: string): number {
  let n = 0;
  while ([...w.keys()].some((k) => k.startsWith(`${prefix}.${n}.`))) n++;
  return n;
}

function resnet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.relu(g.batchNorm("bn1", g.conv("conv1", "input", 2, 3)));
  x = g.maxPool(x, 3, 2, 1);
  const bottleneck = g.has("layer1.0.conv3.weight");
  for (let layer = 1; layer <= 4; layer++) {
    const count = blocks(w, `layer${layer}`);
    if (count === 0) fail("CORRUPT", F, `the state_dict has no layer${layer} blocks`);
    for (let b = 0; b < count; b++) {
      const p = `layer${layer}.${b}`;
      const stride = layer > 1 && b === 0 ? 2 : 1;
      let y: string;
      if (bottleneck) {
        y = g.relu(g.batchNorm(`${p}.bn1`, g.conv(`${p}.conv1`, x, 1, 0)));
        // ResNeXt: conv2 is grouped; its weight's second dim is in_channels / groups.
        const c2 = g.shape(`${p}.conv2.weight`);
        const groups = g.shape(`${p}.conv1.weight`)[0] / c2[1];
        y = g.relu(g.batchNorm(`${p}.bn2`, g.conv(`${p}.conv2`, y, stride, 1, groups)));
        y = g.batchNorm(`${p}.bn3`, g.conv(`${p}.conv3`, y, 1, 0));
      } else {
        y = g.relu(g.batchNorm(`${p}.bn1`, g.conv(`${p}.conv1`, x, stride, 1)));
        y = g.batchNorm(`${p}.bn2`, g.conv(`${p}.conv2`, y, 1, 1));
      }
      const shortcut = g.has(`${p}.downsample.0.weight`) ? g.batchNorm(`${p}.downsample.1`, g.conv(`${p}.downsample.0`, x, stride, 0)) : x;
      x = g.relu(g.add(y, shortcut));
    }
  }
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("resnet", "input", g.linear("fc", x));
}

/** torchvision's MobileNetV2 inverted-residual settings [t, c, n, s]. */
const MOBILENET_V2 = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

function mobilenetV2(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.relu6(g.batchNorm("features.0.1", g.conv("features.0.0", "input", 2, 1)));
  let index = 1;
  for (const [t, , n, s] of MOBILENET_V2) {
    for (let i = 0; i < n; i++, index++) {
      const p = `features.${index}.conv`;
      const stride = i === 0 ? s : 1;
      let y = x;
      let k = 0;
      if (t !== 1) {
        y = g.relu6(g.batchNorm(`${p}.0.1`, g.conv(`${p}.0.0`, y, 1, 0)));
        k = 1;
      }
      const hidden = g.shape(`${p}.${k}.0.weight`)[0];
      y = g.relu6(g.batchNorm(`${p}.${k}.1`, g.conv(`${p}.${k}.0`, y, stride, 1, hidden)));
      y = g.batchNorm(`${p}.${k + 2}`, g.conv(`${p}.${k + 1}`, y, 1, 0));
      const inChannels = g.shape(`${p}.0.0.weight`)[1] * (t === 1 ? hidden : 1);
      const outChannels = g.shape(`${p}.${k + 1}.weight`)[0];
      x = stride === 1 && inChannels === outChannels ? g.add(x, y) : y;
    }
  }
  x = g.relu6(g.batchNorm(`features.${index}.1`, g.conv(`features.${index}.0`, x, 1, 0)));
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("mobilenet_v2", "input", g.linear("classifier.1", x));
}

function vgg(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  const convs = [...w.keys()].filter((k) => /^features\.\d+\.weight$/.test(k) && w.get(k)?.shape.length === 4).map((k) => Number(k.split(".")[1])).sort((a, b) => a - b);
  if (convs.length === 0) fail("CORRUPT", F, "the state_dict has no VGG feature convolutions");
  const bn = g.has(`features.${convs[0] + 1}.running_mean`);
  let x = "input";
  convs.forEach((c, i) => {
    x = g.conv(`features.${c}`, x, 1, 1);
    if (bn) x = g.batchNorm(`features.${c + 1}`, x);
    x = g.relu(x);
    // A pooling layer sits between this block and the next conv when the index skips it.
    const step = bn ? 3 : 2;
    const next = convs[i + 1];
    if (next === undefined || next - c > step) x = g.maxPool(x, 2, 2, 0);
  });
  x = g.flatten(g.adaptiveAvgPool(x, 7, 7));
  x = g.relu(g.linear("classifier.0", x));
  x = g.relu(g.linear("classifier.3", x));
  return g.graph("vgg", "input", g.linear("classifier.6", x));
}

function alexnet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.maxPool(g.relu(g.conv("features.0", "input", 4, 2)), 3, 2, 0);
  x = g.maxPool(g.relu(g.conv("features.3", x, 1, 2)), 3, 2, 0);
  x = g.relu(g.conv("features.6", x, 1, 1));
  x = g.relu(g.conv("features.8", x, 1, 1));
  x = g.maxPool(g.relu(g.conv("features.10", x, 1, 1)), 3, 2, 0);
  x = g.flatten(g.adaptiveAvgPool(x, 6, 6));
  x = g.relu(g.linear("classifier.1", x));
  x = g.relu(g.linear("classifier.4", x));
  return g.graph("alexnet", "input", g.linear("classifier.6", x));
}

const ARCHITECTURES: Readonly<Record<string, (w: ReadonlyMap<string, Tensor>) => OnnxGraph>> = {
  resnet18: resnet,
  resnet34: resnet,
  resnet50: resnet,
  resnet101: resnet,
  resnet152: resnet,
  resnext50_32x4d: resnet,
  resnext101_32x8d: resnet,
  wide_resnet50_2: resnet,
  wide_resnet101_2: resnet,
  mobilenet_v2: mobilenetV2,
  vgg11: vgg,
  vgg13: vgg,
  vgg16: vgg,
  vgg19: vgg,
  vgg11_bn: vgg,
  vgg13_bn: vgg,
  vgg16_bn: vgg,
  vgg19_bn: vgg,
  alexnet,
};

/** A tensor name every state_dict of the architecture has (to find a wrapper prefix). */
export function markerOf(arch: string): string {
  if (arch.startsWith("res") || arch.startsWith("wide")) return "conv1.weight";
  if (arch === "mobilenet_v2") return "features.0.0.weight";
  return "features.0.weight";
}

export function architectureNames(): string[] {
  return Object.keys(ARCHITECTURES);
}

export function torchvisionGraph(arch: string, weights: ReadonlyMap<string, Tensor>): OnnxGraph {
  const build = ARCHITECTURES[arch];
  if (build === undefined) return fail("UNSUPPORTED", F, `--arch ${arch} is not one this runner builds (known: ${architectureNames().join(", ")})`);
  return build(weights);
}
