/** Every operator family; importing this registers them all. */
import "./elementwise/index.js";
import "./nn/index.js";
import "./shape/index.js";
import "./control.js";
import "./quant.js";
import "./strings.js";
import "./signal.js";
import "./non-max-suppression.js";
import "./tfidf-vectorizer.js";
import "./det.js";
import "./swiglu.js";
import "./tensor-scatter.js";
