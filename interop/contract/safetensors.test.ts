import { defineFamilySuite } from "./suite.js";

// Fresh safetensors inputs from the real Python libraries, driven through the built CLI (DESIGN.md sections 4-7).
defineFamilySuite("safetensors");
