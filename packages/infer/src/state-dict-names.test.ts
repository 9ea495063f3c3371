import { Tensor, type TensorMap } from "@codec/core";
import { describe, expect, it } from "vitest";
import { stateDictNames } from "./state-dict-names.js";

function mapOf(names: string[]): TensorMap {
  const t = (i: number) => new Tensor({ dtype: "float32", shape: [1], data: new Uint8Array(new Float32Array([i]).buffer) });
  return {
    format: "torch",
    metadata: {},
    names: () => names,
    info: (n) => ({ name: n, dtype: "float32", shape: [1] }),
    get: async (n) => t(names.indexOf(n)),
  };
}

describe("stateDictNames", () => {
  it("renames a pickled module's attribute paths to state_dict names, lazily and in order", async () => {
    const view = stateDictNames(mapOf(["model._modules.layer1._modules.0._modules.conv1._parameters.weight", "model._modules.bn1._buffers.running_mean", "epoch_loss"]));
    expect(view.names()).toEqual(["model.layer1.0.conv1.weight", "model.bn1.running_mean", "epoch_loss"]);
    expect(view.info("model.bn1.running_mean").name).toBe("model.bn1.running_mean");
    expect((await view.get("model.bn1.running_mean")).toFloat32()[0]).toBe(1);
    expect(() => view.info("model._modules.bn1._buffers.running_mean")).toThrow(/no tensor named/);
  });

  it("returns a state_dict's own map unchanged", () => {
    const map = mapOf(["conv1.weight", "fc.bias"]);
    expect(stateDictNames(map)).toBe(map);
  });
});
