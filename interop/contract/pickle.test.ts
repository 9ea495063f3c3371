import { defineFamilySuite } from "./suite.js";

// Fresh pickle inputs from the real Python libraries, driven through the built CLI (DESIGN.md sections 4-7).
defineFamilySuite("pickle");
