import { defineFamilySuite } from "./suite.js";

// Fresh npy inputs from the real Python libraries, driven through the built CLI (DESIGN.md sections 4-7).
defineFamilySuite("npy");
