/**
 * The elementwise operators: each module in this folder registers its ops with
 * registerOps; this file imports them all.
 */
import "./arithmetic.js";
import "./unary-math.js";
import "./activations.js";
import "./logic.js";
import "./reduce.js";
import "./scan-arg.js";
