"""Train one classifier per channel on features made by `diamond-screen featurize`.

    python3 models/train/train.py --features data/train-features --out models --seed 1 \
        --description "simulated by diamond-screen simulate, seed 1, 4400 stones (400 of each of 11 classes)"

For each spec in models/train/specs/ (pl532, pl405, ftir) it fits a small multilayer perceptron
(standardised inputs, one hidden ReLU layer, softmax over natural/cvd/hpht/simulant), exports it
to ONNX with plain tensor ops only (Sub, Div, MatMul, Add, Relu, Softmax: no ai.onnx.ml ops, so
tract runs it as well as ONNX Runtime), checks that ONNX Runtime reproduces scikit-learn's
probabilities, and writes models/<id>/model.onnx and manifest.json. Preprocessing is not done
here: the features come from the Rust binary, the one implementation.
"""
import argparse
import csv
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.neural_network import MLPClassifier

CLASSES = ["natural", "cvd", "hpht", "simulant"]
HERE = os.path.dirname(os.path.abspath(__file__))


def load(features_dir, channel):
    x = np.load(os.path.join(features_dir, f"{channel}.npy"))
    with open(os.path.join(features_dir, f"{channel}.csv")) as f:
        rows = list(csv.DictReader(f))
    y = np.array([CLASSES.index(r["truth"]) for r in rows])
    return x, y, rows


def to_onnx(mu, sd, clf, n_features, path):
    """Standardise, hidden layers with ReLU, output layer, softmax: plain tensor ops."""
    inits = [numpy_helper.from_array(mu.astype(np.float32), "mu"), numpy_helper.from_array(sd.astype(np.float32), "sd")]
    nodes = [helper.make_node("Sub", ["features", "mu"], ["centred"]), helper.make_node("Div", ["centred", "sd"], ["z0"])]
    prev = "z0"
    for i, (w, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
        inits += [numpy_helper.from_array(w.astype(np.float32), f"W{i}"), numpy_helper.from_array(b.astype(np.float32), f"b{i}")]
        nodes += [helper.make_node("MatMul", [prev, f"W{i}"], [f"m{i}"]), helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"])]
        last = i == len(clf.coefs_) - 1
        if not last:
            nodes.append(helper.make_node("Relu", [f"a{i}"], [f"h{i}"]))
            prev = f"h{i}"
        else:
            prev = f"a{i}"
    nodes.append(helper.make_node("Softmax", [prev], ["probabilities"], axis=-1))
    graph = helper.make_graph(
        nodes,
        "diamond_screen_mlp",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", n_features])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", len(CLASSES)])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="diamond-screen models/train/train.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, ".."))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--description", required=True, help='e.g. "simulated by diamond-screen simulate, seed 1, 4400 stones"')
    ap.add_argument("--channels", default="pl532,pl405,ftir")
    args = ap.parse_args()

    import onnxruntime as ort

    for channel in args.channels.split(","):
        spec = json.load(open(os.path.join(HERE, "specs", f"{channel}.json")))
        x, y, rows = load(args.features, channel)
        n, nf = x.shape
        mu = x.mean(axis=0)
        sd = np.maximum(x.std(axis=0), 1e-3)
        z = (x - mu) / sd
        clf = MLPClassifier(hidden_layer_sizes=(args.hidden,), alpha=1e-3, max_iter=500, random_state=args.seed)
        clf.fit(z, y)
        acc = float((clf.predict(z) == y).mean())
        out_dir = os.path.join(args.out, spec["id"])
        os.makedirs(out_dir, exist_ok=True)
        onnx_path = os.path.join(out_dir, "model.onnx")
        to_onnx(mu, sd, clf, nf, onnx_path)
        # ONNX Runtime must reproduce scikit-learn
        sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        p_onnx = sess.run(None, {"features": x.astype(np.float32)})[0]
        p_sk = clf.predict_proba(z)
        diff = float(np.abs(p_onnx - p_sk).max())
        assert diff < 1e-4, f"{channel}: ONNX differs from scikit-learn by {diff}"
        sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
        counts = {c: int((y == i).sum()) for i, c in enumerate(CLASSES)}
        subtypes = sorted({r["subtype"] for r in rows})
        manifest = dict(spec)
        technique, excitation = {"pl532": ("pl", 532.0), "pl405": ("pl", 405.0), "ftir": ("ftir", None)}[spec["channel"]]
        manifest.update(
            {
                "technique": technique,
                "excitation_nm": excitation,
                "sha256": sha,
                "input_name": "features",
                "input_shape": [-1, nf],
                "output_name": "probabilities",
                "classes": CLASSES,
                "thresholds": {"p_synthetic_pass": 0.5, "rule": "uncalibrated: run diamond-screen calibrate"},
                "training": {
                    "description": args.description,
                    "simulated": True,
                    "rows": n,
                    "rows_per_class": counts,
                    "subtypes": subtypes,
                    "model": f"MLP {nf}-{args.hidden}-{len(CLASSES)} (ReLU, softmax), L2 1e-3, seed {args.seed}, scikit-learn",
                    "train_accuracy": acc,
                    "iterations": int(clf.n_iter_),
                    "onnx_vs_sklearn_max_abs_diff": diff,
                },
                "evaluation": {},
            }
        )
        with open(os.path.join(out_dir, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        print(f"{spec['id']}: {n} rows x {nf} features, train accuracy {acc:.4f}, {clf.n_iter_} iterations, onnx diff {diff:.2e}")


if __name__ == "__main__":
    main()
