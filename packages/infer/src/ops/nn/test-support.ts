/** The nn tests use the op families' shared test support. */
export { type Attr, f32, iota, runOp, t, values } from "../test-support.js";
