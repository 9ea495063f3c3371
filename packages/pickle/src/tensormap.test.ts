import { describe, expect, it } from "vitest";
import { PyDict, PyFloat, PyGlobal, PyObject, PySet, PyTuple } from "./model.js";
import { describeType, openPickle } from "./tensormap.js";

describe("describeType (the root_type metadata)", () => {
  it("names values by Python's type names, not by the JavaScript class names (a bundle may rename those)", () => {
    expect(describeType(new PyDict())).toBe("dict");
    expect(describeType(new PyTuple([]))).toBe("tuple");
    expect(describeType(new PySet([], true))).toBe("frozenset");
    expect(describeType(new PyFloat(1))).toBe("float");
    expect(describeType([])).toBe("list");
    expect(describeType(3)).toBe("int");
    expect(describeType("s")).toBe("str");
    expect(describeType(null)).toBe("None");
    expect(describeType(new PyObject(new PyGlobal("sklearn.linear_model._base", "LinearRegression"), [], "newobj"))).toBe(
      "sklearn.linear_model._base.LinearRegression",
    );
  });

  it("gives 'dict' for a pickled dict", async () => {
    // pickle.dumps({}, protocol=2)
    const map = await openPickle(new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]));
    expect(map.metadata.root_type).toBe("dict");
  });
});
