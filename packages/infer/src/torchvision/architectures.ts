/**
 * The torchvision classification architectures `codec run model.pt --arch
 * NAME` builds as graphs over a state_dict, each following torchvision
 * 0.14's model definition in eval mode (one file per family). Block counts
 * and widths come from the state_dict's names and shapes wherever the
 * weights determine them, so a checkpoint and its arch must agree; what
 * the weights cannot say (strides, activations) comes from torchvision's
 * configuration tables for the named arch.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { convnext } from "./convnext.js";
import { densenet } from "./densenet.js";
import { EFFICIENTNET_V1_STRIDES, EFFICIENTNET_V2_ML_STRIDES, EFFICIENTNET_V2_S_STRIDES, efficientnet } from "./efficientnet.js";
import { googlenet } from "./googlenet.js";
import { inceptionV3 } from "./inception.js";
import { maxvit } from "./maxvit.js";
import { mnasnet } from "./mnasnet.js";
import { mobilenetV2 } from "./mobilenet-v2.js";
import { mobilenetV3 } from "./mobilenet-v3.js";
import { regnet } from "./regnet.js";
import { resnet } from "./resnet.js";
import { shufflenetV2 } from "./shufflenet.js";
import { squeezenet } from "./squeezenet.js";
import { swin } from "./swin.js";
import { alexnet, vgg } from "./vgg.js";
import { vit } from "./vit.js";

/** A graph over the weights; the input's shape matters to architectures whose layout depends on it (Swin's windows). */
type Build = (w: ReadonlyMap<string, Tensor>, inputShape: readonly number[]) => OnnxGraph;

interface Architecture {
  readonly build: Build;
  /** A tensor name every state_dict of the architecture has (to find a wrapper prefix). */
  readonly marker: string;
}

const ARCHITECTURES = new Map<string, Architecture>();

function add(names: readonly string[], build: Build, marker: string): void {
  for (const name of names) ARCHITECTURES.set(name, { build, marker });
}

add(["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"], resnet, "conv1.weight");
add(["mobilenet_v2"], mobilenetV2, "features.0.0.weight");
add(["mobilenet_v3_large"], mobilenetV3("large"), "features.0.0.weight");
add(["mobilenet_v3_small"], mobilenetV3("small"), "features.0.0.weight");
add(["vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn"], vgg, "features.0.weight");
add(["alexnet"], alexnet, "features.0.weight");
add(["squeezenet1_0", "squeezenet1_1"], squeezenet, "features.0.weight");
add(["densenet121", "densenet161", "densenet169", "densenet201"], densenet, "features.conv0.weight");
add(["shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"], shufflenetV2, "conv1.0.weight");
add(["mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3"], mnasnet, "layers.0.weight");
// efficientnet_b0..b4 keep nn.BatchNorm2d's eps (1e-5); b5..b7 and V2 pass eps=1e-3.
add(["efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4"], efficientnet(EFFICIENTNET_V1_STRIDES, 1e-5), "features.0.0.weight");
add(["efficientnet_b5", "efficientnet_b6", "efficientnet_b7"], efficientnet(EFFICIENTNET_V1_STRIDES, 1e-3), "features.0.0.weight");
add(["efficientnet_v2_s"], efficientnet(EFFICIENTNET_V2_S_STRIDES, 1e-3), "features.0.0.weight");
add(["efficientnet_v2_m", "efficientnet_v2_l"], efficientnet(EFFICIENTNET_V2_ML_STRIDES, 1e-3), "features.0.0.weight");
// googlenet(weights=None) has transform_input=False; torchvision's ImageNet weights set it True.
add(["googlenet"], googlenet(false), "conv1.conv.weight");
add(["googlenet_transform_input"], googlenet(true), "conv1.conv.weight");
// Likewise inception_v3(weights=None) leaves transform_input off.
add(["inception_v3"], inceptionV3(false), "Conv2d_1a_3x3.conv.weight");
add(["inception_v3_transform_input"], inceptionV3(true), "Conv2d_1a_3x3.conv.weight");
add(
  [
    "regnet_x_400mf",
    "regnet_x_800mf",
    "regnet_x_1_6gf",
    "regnet_x_3_2gf",
    "regnet_x_8gf",
    "regnet_x_16gf",
    "regnet_x_32gf",
    "regnet_y_400mf",
    "regnet_y_800mf",
    "regnet_y_1_6gf",
    "regnet_y_3_2gf",
    "regnet_y_8gf",
    "regnet_y_16gf",
    "regnet_y_32gf",
    "regnet_y_128gf",
  ],
  regnet,
  "stem.0.weight",
);
add(["convnext_tiny", "convnext_small", "convnext_base", "convnext_large"], convnext, "features.0.0.weight");
// The head count is a constructor argument: vit_b_* use 12, vit_l_* and vit_h_14 use 16.
add(["vit_b_16", "vit_b_32"], vit(12), "conv_proj.weight");
add(["vit_l_16", "vit_l_32", "vit_h_14"], vit(16), "conv_proj.weight");
add(["swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b"], swin, "features.0.0.weight");
// maxvit_t's attention heads are 32 wide (head_dim, a constructor argument).
add(["maxvit_t"], maxvit(32), "stem.0.0.weight");

function lookup(arch: string): Architecture {
  const a = ARCHITECTURES.get(arch);
  if (a === undefined) return fail("UNSUPPORTED", "infer", `--arch ${arch} is not one this runner builds (known: ${architectureNames().join(", ")})`);
  return a;
}

/** A tensor name every state_dict of the architecture has (to find a wrapper prefix). */
export function markerOf(arch: string): string {
  return lookup(arch).marker;
}

export function architectureNames(): string[] {
  return [...ARCHITECTURES.keys()];
}

/** The graph of `arch` over `weights` for an NCHW input of `inputShape` (only Swin's layout depends on it). */
export function torchvisionGraph(arch: string, weights: ReadonlyMap<string, Tensor>, inputShape: readonly number[] = [1, 3, 224, 224]): OnnxGraph {
  return lookup(arch).build(weights, inputShape);
}
