"""Train one classifier per channel on features made by `diamond-screen featurize`, calibrate it
on a set of instrument families it was not trained on, and give it an out-of-distribution check.

    python3 models/train/train.py --features data/train-features --out models --seed 1 \
        --description "simulated by diamond-screen simulate, seed 1, 4400 stones (400 of each of 11 classes)"

For each spec in models/train/specs/ (pl532, pl405, ftir) it fits five small multilayer
perceptrons of different seeds (standardised inputs, one hidden ReLU layer, softmax over
natural/cvd/hpht/simulant) and averages their logits (one wider MLP, so the graph is the same
shape: a single fit's vote on a spectrum unlike its training rows is arbitrary), exports it
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


def logits(clf, z):
    """The MLP's pre-softmax output (what scikit-learn's predict_proba takes the softmax of)."""
    h = z
    for i, (w, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
        h = h @ w + b
        if i < len(clf.coefs_) - 1:
            h = np.maximum(h, 0.0)
    return h


class Ensemble:
    """K MLPs of one shape (seeds seed..seed+K-1) whose logits are averaged: one MLP with the
    K hidden layers side by side (first-layer weights concatenated, output weights stacked
    and divided by K), so the ONNX graph keeps its plain ops. Averaging steadies the vote on
    spectra unlike the training set, where one fit's extrapolation is arbitrary."""

    def __init__(self, members):
        k = len(members)
        self.coefs_ = [
            np.concatenate([m.coefs_[0] for m in members], axis=1),
            np.concatenate([m.coefs_[1] for m in members], axis=0) / k,
        ]
        self.intercepts_ = [
            np.concatenate([m.intercepts_[0] for m in members]),
            np.mean([m.intercepts_[1] for m in members], axis=0),
        ]
        self.n_iter_ = [int(m.n_iter_) for m in members]

    def predict(self, z):
        return logits(self, z).argmax(axis=1)


def softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def calibrated(a, temperature, eps):
    """Temperature-scaled probabilities, mixed with eps of the uniform distribution so that no
    probability exceeds what the calibration set can support."""
    return (1.0 - eps) * softmax(a / temperature) + eps / len(CLASSES)


def fit_temperature(a, y):
    """Temperature scaling (Guo et al. 2017): the T minimising the calibration set's NLL."""
    from scipy.optimize import minimize_scalar

    def nll(log_t):
        p = softmax(a / np.exp(log_t))
        return -np.log(np.maximum(p[np.arange(len(y)), y], 1e-12)).mean()

    r = minimize_scalar(nll, bounds=(np.log(0.05), np.log(50.0)), method="bounded")
    return float(np.exp(r.x))


def ece(p, y, bins=10):
    """Expected calibration error of the most probable class, equal-width bins."""
    conf = p.max(axis=1)
    right = p.argmax(axis=1) == y
    total = 0.0
    for b in range(bins):
        m = (conf >= b / bins) & (conf < (b + 1) / bins) if b < bins - 1 else conf >= b / bins
        if m.any():
            total += abs(conf[m].mean() - right[m].mean()) * m.mean()
    return float(total)


class Familiarity:
    """A distance of a standardised feature row from the training rows: the Mahalanobis distance
    in the leading principal components plus the residual off them (each scaled so that a
    typical training row scores about 1), sqrt((sum proj_i^2 / lambda_i + r^2 / rho) / (k + 1))."""

    def __init__(self, z, k_max=24, share=0.95):
        _, sv, vt = np.linalg.svd(z, full_matrices=False)
        lam = sv**2 / (len(z) - 1)
        k = int(min(k_max, np.searchsorted(np.cumsum(lam) / lam.sum(), share) + 1))
        self.p = vt[:k].T  # [nf, k]
        self.lam = np.maximum(lam[:k], 1e-6)
        self.k = k
        r = z - (z @ self.p) @ self.p.T
        self.rho = max(float((r**2).sum(axis=1).mean()), 1e-6)

    def distance(self, z):
        proj = z @ self.p
        m2 = ((proj / np.sqrt(self.lam)) ** 2).sum(axis=1)
        r2 = ((z - proj @ self.p.T) ** 2).sum(axis=1) / self.rho
        return np.sqrt((m2 + r2) / (self.k + 1))


def to_onnx(mu, sd, clf, n_features, path, temperature=1.0, eps=0.0, fam=None, lo=None, hi=None):
    """Clip each input to the training rows' range (lo, hi), standardise, hidden layers with
    ReLU, output layer, temperature, softmax, the uniform mix; and the familiarity distance of
    the clipped row as a second output: plain tensor ops."""
    inits = [numpy_helper.from_array(mu.astype(np.float32), "mu"), numpy_helper.from_array(sd.astype(np.float32), "sd")]
    nodes = []
    source = "features"
    if lo is not None:
        inits += [numpy_helper.from_array(lo.astype(np.float32), "lo"), numpy_helper.from_array(hi.astype(np.float32), "hi")]
        nodes += [helper.make_node("Max", ["features", "lo"], ["above_lo"]), helper.make_node("Min", ["above_lo", "hi"], ["clipped"])]
        source = "clipped"
    nodes += [helper.make_node("Sub", [source, "mu"], ["centred"]), helper.make_node("Div", ["centred", "sd"], ["z0"])]
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
    f32 = lambda v: np.array(v, dtype=np.float32)
    inits += [numpy_helper.from_array(f32([temperature]), "temperature"), numpy_helper.from_array(f32([1.0 - eps]), "keep"), numpy_helper.from_array(f32([eps / len(CLASSES)]), "floor")]
    nodes += [
        helper.make_node("Div", [prev, "temperature"], ["scaled"]),
        helper.make_node("Softmax", ["scaled"], ["soft"], axis=-1),
        helper.make_node("Mul", ["soft", "keep"], ["kept"]),
        helper.make_node("Add", ["kept", "floor"], ["probabilities"]),
    ]
    outputs = [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", len(CLASSES)])]
    if fam is not None:
        inits += [
            numpy_helper.from_array(fam.p.astype(np.float32), "pc"),
            numpy_helper.from_array(fam.p.T.astype(np.float32), "pc_t"),
            numpy_helper.from_array((1.0 / np.sqrt(fam.lam)).astype(np.float32), "pc_scale"),
            numpy_helper.from_array(f32([1.0 / fam.rho]), "inv_rho"),
            numpy_helper.from_array(f32([1.0 / (fam.k + 1)]), "inv_k1"),
        ]
        nodes += [
            helper.make_node("MatMul", ["z0", "pc"], ["proj"]),
            helper.make_node("Mul", ["proj", "pc_scale"], ["proj_w"]),
            helper.make_node("ReduceSumSquare", ["proj_w"], ["m2"], axes=[1], keepdims=1),
            helper.make_node("MatMul", ["proj", "pc_t"], ["recon"]),
            helper.make_node("Sub", ["z0", "recon"], ["resid"]),
            helper.make_node("ReduceSumSquare", ["resid"], ["r2"], axes=[1], keepdims=1),
            helper.make_node("Mul", ["r2", "inv_rho"], ["r2n"]),
            helper.make_node("Add", ["m2", "r2n"], ["d2sum"]),
            helper.make_node("Mul", ["d2sum", "inv_k1"], ["d2"]),
            helper.make_node("Sqrt", ["d2"], ["familiarity"]),
        ]
        outputs.append(helper.make_tensor_value_info("familiarity", TensorProto.FLOAT, ["batch", 1]))
    graph = helper.make_graph(
        nodes,
        "diamond_screen_mlp",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", n_features])],
        outputs,
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
    ap.add_argument("--ensemble", type=int, default=5, help="MLPs (seeds seed..seed+K-1) whose logits are averaged")
    ap.add_argument("--description", required=True, help='e.g. "simulated by diamond-screen simulate, seed 1, 4400 stones"')
    ap.add_argument("--channels", default="pl532,pl405,ftir")
    ap.add_argument("--calib-features", help="features of the calibration set (instrument families not used in training)")
    ap.add_argument("--calib-description", default="", help="what the calibration set is (families, seed)")
    ap.add_argument("--familiarity-quantile", type=float, default=0.999, help="share of the calibration rows the familiarity threshold accepts, unless the spec sets familiarity_quantile")
    args = ap.parse_args()

    import onnxruntime as ort

    for channel in args.channels.split(","):
        spec = json.load(open(os.path.join(HERE, "specs", f"{channel}.json")))
        # a spec may set its own share (a findings row's tail is strong natural lines)
        quantile = spec.get("familiarity_quantile", args.familiarity_quantile)
        x, y, rows = load(args.features, channel)
        n, nf = x.shape
        # Inputs are clipped to the training rows' range, in the graph and here: a line
        # stronger than any in training (a bright instrument's SNR) is not extrapolated by the
        # ReLU layers, nor read as unfamiliar; the familiarity measures the combination.
        lo, hi = x.min(axis=0), x.max(axis=0)
        mu = x.mean(axis=0)
        sd = np.maximum(x.std(axis=0), 1e-3)
        z = (x - mu) / sd
        members = []
        for s in range(args.seed, args.seed + args.ensemble):
            m = MLPClassifier(hidden_layer_sizes=(args.hidden,), alpha=1e-3, max_iter=500, random_state=s)
            m.fit(z, y)
            # the numpy forward pass is scikit-learn's
            assert np.abs(softmax(logits(m, z)) - m.predict_proba(z)).max() < 1e-6
            members.append(m)
        clf = Ensemble(members)
        acc = float((clf.predict(z) == y).mean())
        out_dir = os.path.join(args.out, spec["id"])
        os.makedirs(out_dir, exist_ok=True)
        onnx_path = os.path.join(out_dir, "model.onnx")
        fam = Familiarity(z)
        temperature, eps, cal = 1.0, 0.0, {}
        threshold = None
        if args.calib_features:
            xc, yc, _ = load(args.calib_features, channel)
            zc = (np.clip(xc, lo, hi) - mu) / sd
            ac = logits(clf, zc)
            temperature = fit_temperature(ac, yc)
            eps = 1.0 / (len(yc) + 1)
            pc_raw, pc_cal = softmax(ac), calibrated(ac, temperature, eps)
            dc = fam.distance(zc)
            threshold = float(np.quantile(dc, quantile))
            # Every training row is accepted (the threshold is never below them).
            threshold = max(threshold, float(np.quantile(fam.distance(z), 0.9999)))
            cal = {
                "set": args.calib_description,
                "rows": int(len(yc)),
                "temperature": temperature,
                "uniform_mix": eps,
                "largest_probability": float(1.0 - eps + eps / len(CLASSES)),
                "ece_before": ece(pc_raw, yc),
                "ece_after": ece(pc_cal, yc),
                "accuracy": float((pc_cal.argmax(axis=1) == yc).mean()),
                "familiarity_rows_refused": float((dc > threshold).mean()),
            }
        to_onnx(mu, sd, clf, nf, onnx_path, temperature, eps, fam if threshold is not None else None, lo, hi)
        # ONNX Runtime must reproduce the numpy model, and the numpy model scikit-learn
        sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        outs = sess.run(None, {"features": x.astype(np.float32)})
        p_onnx = outs[0]
        p_sk = calibrated(logits(clf, z), temperature, eps)
        diff = float(np.abs(p_onnx - p_sk).max())
        assert diff < 1e-4, f"{channel}: ONNX differs from scikit-learn by {diff}"
        if args.calib_features:
            # the calibration rows reach past the training range: the graph's clip is numpy's
            pc_onnx = sess.run(None, {"features": xc.astype(np.float32)})[0]
            clip_diff = float(np.abs(pc_onnx - calibrated(logits(clf, zc), temperature, eps)).max())
            assert clip_diff < 1e-4, f"{channel}: ONNX differs on the calibration rows by {clip_diff}"
        if threshold is not None:
            d_np = fam.distance(z)
            dd = float(np.abs(outs[1][:, 0] - d_np).max())
            assert dd < 1e-2 * max(1.0, float(d_np.max())), f"{channel}: familiarity differs by {dd}"
        sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
        counts = {c: int((y == i).sum()) for i, c in enumerate(CLASSES)}
        subtypes = sorted({r["subtype"] for r in rows})
        manifest = {k: v for k, v in spec.items() if k != "familiarity_quantile"}
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
                **(
                    {
                        "familiarity": {
                            "threshold": threshold,
                            "rule": f"distance of the standardised feature row from the training rows (Mahalanobis in the {fam.k} leading principal components plus the residual off them; a typical training row scores about 1); threshold = the {quantile:.2%} quantile of the calibration set ({args.calib_description}), never below the training rows' 99.99% quantile",
                        }
                    }
                    if threshold is not None
                    else {}
                ),
                "training": {
                    "description": args.description,
                    "simulated": True,
                    "rows": n,
                    "rows_per_class": counts,
                    "subtypes": subtypes,
                    "model": f"inputs clipped to the training rows' range; {args.ensemble} MLPs {nf}-{args.hidden}-{len(CLASSES)} (ReLU), logits averaged (one MLP {nf}-{args.hidden * args.ensemble}-{len(CLASSES)}), softmax, L2 1e-3, seeds {args.seed}-{args.seed + args.ensemble - 1}, scikit-learn",
                    "train_accuracy": acc,
                    "iterations": clf.n_iter_,
                    "onnx_vs_sklearn_max_abs_diff": diff,
                    "calibration": cal,
                },
                "evaluation": {},
            }
        )
        with open(os.path.join(out_dir, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        print(f"{spec['id']}: {n} rows x {nf} features, train accuracy {acc:.4f}, {clf.n_iter_} iterations, onnx diff {diff:.2e}, calibration {json.dumps(cal)}, familiarity threshold {threshold}")


if __name__ == "__main__":
    main()
