/**
 * TransformedTargetRegressor.predict (scikit-learn 1.2): the regressor's
 * prediction through transformer_.inverse_transform, for the invertible
 * transformers it is used with (scalers; an identity FunctionTransformer
 * when neither func nor transformer was given).
 */
import { fail } from "@codec/core";
import type { PyDict, PyValue } from "@codec/pickle";
import type { Members } from "./meta.js";
import { attr, classOf, F, type Matrix, matrix, num, optionalAttr, shortName, stateOf } from "./state.js";

function perColumn(state: PyDict, name: string, what: string): Float64Array | null {
  const v = optionalAttr(state, name);
  return v === undefined || v === null ? null : matrix(v, `${what}.${name}`).data;
}

function inverseTransform(transformer: PyValue, y: Matrix, what: string): Matrix {
  const kind = shortName(classOf(transformer) ?? "");
  const s = stateOf(transformer, what);
  const [n, k] = y.shape.length === 2 ? y.shape : [y.shape[0], 1];
  const out = new Float64Array(y.data);
  const apply = (scale: Float64Array | null, offset: Float64Array | null, divide: boolean): Matrix => {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        let v = out[i * k + c];
        if (divide) {
          if (offset !== null) v -= offset[c];
          if (scale !== null) v /= scale[c];
        } else {
          if (scale !== null) v *= scale[c];
          if (offset !== null) v += offset[c];
        }
        out[i * k + c] = v;
      }
    }
    return { data: out, shape: [n, k] };
  };
  switch (kind) {
    case "FunctionTransformer":
      if ((optionalAttr(s, "func") ?? null) !== null || (optionalAttr(s, "inverse_func") ?? null) !== null) return fail("UNSUPPORTED", F, `${what}: a FunctionTransformer with Python functions`);
      return { data: out, shape: [n, k] };
    case "StandardScaler":
      return apply(perColumn(s, "scale_", what), perColumn(s, "mean_", what), false);
    case "RobustScaler":
      return apply(perColumn(s, "scale_", what), perColumn(s, "center_", what), false);
    case "MaxAbsScaler":
      return apply(perColumn(s, "scale_", what), null, false);
    case "MinMaxScaler":
      return apply(perColumn(s, "scale_", what), perColumn(s, "min_", what), true);
    default:
      return fail("UNSUPPORTED", F, `${what}: inverse_transform of ${kind || "this transformer"}`);
  }
}

export function transformedTarget(m: Members, state: PyDict, x: Matrix, what: string): Matrix {
  const pred = m.values(attr(state, "regressor_", what), x, `${what}.regressor_`);
  const back = inverseTransform(attr(state, "transformer_", what), pred, `${what}.transformer_`);
  const trainingDim = num(optionalAttr(state, "_training_dim") ?? 1, `${what}._training_dim`);
  return trainingDim === 1 && back.shape[1] === 1 ? { data: back.data, shape: [back.shape[0]] } : back;
}
