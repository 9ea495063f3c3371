/**
 * torch.nn.AdaptiveAvgPool2d (not an ONNX op): output cell (i, j) averages
 * input rows floor(i*H/h) .. ceil((i+1)*H/h) and the same for columns,
 * as PyTorch's adaptive pooling computes its windows.
 */
import { fail } from "@codec/core";
import { input, registerOps } from "../ops/registry.js";
import { nums, tensor } from "../tensor.js";

registerOps({
  "codec.AdaptiveAveragePool2d": (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const [h, w] = ctx.ints("output_size");
    if (x.shape.length !== 4) fail("USAGE", "infer", `adaptive average pooling needs an NCHW input, got shape [${x.shape.join(", ")}]`);
    const [n, c, H, W] = x.shape;
    const src = nums(x);
    const out = new Float32Array(n * c * h * w);
    for (let p = 0; p < n * c; p++) {
      for (let i = 0; i < h; i++) {
        const r0 = Math.floor((i * H) / h);
        const r1 = Math.ceil(((i + 1) * H) / h);
        for (let j = 0; j < w; j++) {
          const c0 = Math.floor((j * W) / w);
          const c1 = Math.ceil(((j + 1) * W) / w);
          let s = 0;
          for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) s += src[p * H * W + r * W + q];
          out[p * h * w + i * w + j] = s / ((r1 - r0) * (c1 - c0));
        }
      }
    }
    return [tensor(x.dtype, [n, c, h, w], out)];
  },
});
