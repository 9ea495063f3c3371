/**
 * The nn operators: each module in this folder registers its ops with
 * registerOps; this file imports them all.
 */
import "./matmul.js";
import "./softmax.js";
import "./conv.js";
import "./pool.js";
import "./channel-norm.js";
import "./axis-norm.js";
import "./einsum.js";
import "./select.js";
import "./loss.js";
import "./attention.js";
import "./integer.js";
import "./rnn.js";
import "./sequence-mixers.js";
import "./deform.js";
import "./roi-align.js";
import "./grid-sample.js";
