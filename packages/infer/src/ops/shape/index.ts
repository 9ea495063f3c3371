/**
 * The shape operators: each module in this folder registers its ops with
 * registerOps; this file imports them all.
 */
import "./cast.js";
import "./dims.js";
import "./layout.js";
import "./join.js";
import "./gather.js";
import "./pad.js";
import "./resize.js";
import "./unique.js";
