import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codec, ensureBuilt } from "./contract/harness.js";

/**
 * `codec run` on scikit-learn files made fresh by scikit-learn (pickle and
 * joblib, fitted with a random seed each run), against the estimator's own
 * predict() / transform() in Python: what a user who pickles a model and
 * runs it here sees. Text class labels come back as a '<U' array.
 */
const PY = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "codec-sklearn-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAKE = `
import os, sys, json, pickle, warnings, joblib, numpy as np
warnings.filterwarnings("ignore")
from sklearn import linear_model as lm, tree, ensemble, svm, neighbors, naive_bayes, neural_network as nn, preprocessing as pp, decomposition as dec, pipeline, compose, impute, mixture, calibration, multiclass
from sklearn.datasets import load_iris, make_classification, make_regression
out, seed = sys.argv[1], int(sys.argv[2])
rs = np.random.RandomState(seed)
iris = load_iris()
Xc, yc = make_classification(n_samples=200, n_features=8, n_informative=5, n_classes=3, random_state=seed)
Xr, yr = make_regression(n_samples=200, n_features=8, noise=0.5, random_state=seed)
Xn = Xr.copy(); Xn[rs.rand(*Xn.shape) < 0.1] = np.nan
models = {
  "iris_names_lr": (lm.LogisticRegression(max_iter=1000), iris.data, iris.target_names[iris.target]),
  "iris_names_rf": (ensemble.RandomForestClassifier(n_estimators=20, random_state=seed), iris.data, iris.target_names[iris.target]),
  "gbc": (ensemble.GradientBoostingClassifier(n_estimators=30, random_state=seed), Xc, yc),
  "hgbr": (ensemble.HistGradientBoostingRegressor(max_iter=30), Xr, yr),
  "ada": (ensemble.AdaBoostClassifier(n_estimators=20, random_state=seed), Xc, yc),
  "vote": (ensemble.VotingClassifier([("lr", lm.LogisticRegression(max_iter=500)), ("knn", neighbors.KNeighborsClassifier()), ("nb", naive_bayes.GaussianNB())], voting="soft"), Xc, yc),
  "stack": (ensemble.StackingRegressor([("ridge", lm.Ridge()), ("svr", svm.SVR())], final_estimator=lm.LinearRegression()), Xr, yr),
  "bag": (ensemble.BaggingRegressor(tree.DecisionTreeRegressor(max_depth=5), n_estimators=10, max_features=0.6, random_state=seed), Xr, yr),
  "pipe_ct": (pipeline.make_pipeline(compose.ColumnTransformer([("a", pp.StandardScaler(), [0, 1, 2, 3]), ("b", pp.PolynomialFeatures(2), [4, 5])], remainder="passthrough"), svm.SVC()), Xc, yc),
  "impute_mlp": (pipeline.make_pipeline(impute.SimpleImputer(strategy="median", add_indicator=True), pp.StandardScaler(), nn.MLPRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=seed)), Xn, yr),
  "ovr": (multiclass.OneVsRestClassifier(svm.LinearSVC()), Xc, yc),
  "calibrated": (calibration.CalibratedClassifierCV(naive_bayes.GaussianNB(), cv=3), Xc, yc),
  "gmm": (mixture.GaussianMixture(3, random_state=seed), Xr, None),
  "iso": (ensemble.IsolationForest(n_estimators=30, random_state=seed), Xr, None),
  "pca": (dec.PCA(4, whiten=True), Xr, None),
}
report = {}
for name, (m, X, y) in models.items():
    m.fit(X, y) if y is not None else m.fit(X)
    Xt = X[rs.choice(len(X), 25, replace=False)]
    path = os.path.join(out, name + (".joblib" if name in ("gbc", "vote", "iso") else ".pkl"))
    if path.endswith(".joblib"):
        joblib.dump(m, path, compress=3 if name == "vote" else 0)
    else:
        pickle.dump(m, open(path, "wb"), protocol=2 if name == "ada" else 4)
    np.save(os.path.join(out, name + "_x.npy"), Xt)
    res = m.predict(Xt) if hasattr(m, "predict") else m.transform(Xt)
    np.save(os.path.join(out, name + "_want.npy"), res)
    report[name] = path
print(json.dumps(report))
`;

const COMPARE = `
import sys, json, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
if a.dtype.kind in "US" or b.dtype.kind in "US":
    ok = a.dtype.kind == b.dtype.kind and a.shape == b.shape and (a == b).all()
elif b.dtype.kind == "f":
    ok = a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-8)
else:
    ok = a.shape == b.shape and a.dtype == b.dtype and (a == b).all()
print(json.dumps({"ok": bool(ok), "got": "%s %s" % (a.dtype, a.shape), "want": "%s %s" % (b.dtype, b.shape)}))
`;

let models: Record<string, string> = {};
let seed = 0;

beforeAll(() => {
  ensureBuilt();
  seed = Math.floor(Math.random() * 10_000);
  models = JSON.parse(execFileSync(PY, ["-c", MAKE, dir, String(seed)], { encoding: "utf8" }));
}, 300_000);

describe("codec run on fresh scikit-learn files equals predict() / transform()", () => {
  for (const name of ["iris_names_lr", "iris_names_rf", "gbc", "hgbr", "ada", "vote", "stack", "bag", "pipe_ct", "impute_mlp", "ovr", "calibrated", "gmm", "iso", "pca"]) {
    it(name, async () => {
      const out = join(dir, `out-${name}`);
      const r = await codec(["run", models[name], "--input", `input=${join(dir, `${name}_x.npy`)}`, "--out", out]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const verdict = JSON.parse(execFileSync(PY, ["-c", COMPARE, join(out, "output.npy"), join(dir, `${name}_want.npy`)], { encoding: "utf8" }));
      expect(verdict, `${name} with data seed ${seed}`).toMatchObject({ ok: true });
    }, 120_000);
  }
});
