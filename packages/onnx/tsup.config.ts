import { packageBuild } from "../../tsup.base";

// node.ts imports the main entry by name so both share one copy of the classes.
export default packageBuild({ index: "src/index.ts", node: "src/node.ts" }, { external: ["@codec/onnx"] });
