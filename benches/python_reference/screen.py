"""The screening job done the way a Python user would: numpy / scipy / pybaselines preprocessing
following the same protocol as the shipped models' manifests, scipy peak finding for the
detector features, ONNX Runtime for the same ONNX models, and the same fusion rule.

It is a speed reference for `diamond-screen screen`, not a second implementation to trust: its
detector features approximate the Rust detector's, so a few verdicts may differ.

    python3 benches/python_reference/screen.py DIR --models models --workers 2 > out.jsonl
"""
import argparse
import glob
import json
import math
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
import onnxruntime as ort
from pybaselines.whittaker import arpls
from scipy.optimize import nnls
from scipy.signal import find_peaks, savgol_filter

RAMAN = 1332.5
CLASSES = ["natural", "cvd", "hpht", "simulant"]
# centre -> (position nm or cm-1, tol 77 K, tol RT, RT shift, indicates)
CENTRES = {
    "N3": (415.2, 0.5, 1.5, 0.5, "natural"), "468 nm": (467.8, 0.4, 1.5, 0.5, "cvd"),
    "Ni 484.4": (484.4, 0.4, 1.5, 0.5, "hpht"), "490.7 nm": (490.7, 0.4, 1.5, 0.5, "natural"),
    "H4": (496.0, 0.4, 1.5, 0.5, "neutral"), "H3": (503.2, 0.15, 1.5, 0.5, "treatment"),
    "3H": (503.4, 0.15, 0.0, 0.0, "neutral"), "NV0": (575.0, 0.4, 1.5, 0.7, "neutral"),
    "596/597 nm": (596.8, 0.6, 0.0, 0.0, "cvd"), "NV-": (637.0, 0.4, 1.5, 1.0, "neutral"),
    "658 nm": (658.0, 0.5, 1.5, 0.5, "hpht"), "Cr/ruby 693": (693.5, 1.0, 2.0, 0.0, "simulant"),
    "SiV-": (736.8, 0.5, 1.8, 1.0, "cvd"), "GR1": (741.1, 0.4, 1.5, 0.5, "neutral"),
    "NE8": (793.6, 0.5, 1.5, 0.5, "hpht"), "Ni+ 883": (883.0, 0.5, 1.5, 0.5, "hpht"),
    "Ni+ 884.7": (884.7, 0.5, 1.5, 0.5, "hpht"), "SiV0": (946.0, 0.6, 2.0, 0.5, "cvd"),
}
PASS = {"N3", "A-centre", "B-centre", "platelets"}


def read_csv(path):
    meta, n_comments = {}, 0
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            n_comments += 1
            if ":" in line:
                k, v = line[1:].split(":", 1)
                meta[k.strip()] = v.strip()
    d = np.loadtxt(path, delimiter=",", skiprows=n_comments + 1, ndmin=2)
    d = d[np.argsort(d[:, 0])]
    return meta, d[:, 0], d[:, 1]


def noise_sigma(y):
    d = np.diff(y)
    return 1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2) + 1e-12


def raman_line(x, y, exc):
    """Present, snr, offset (cm-1), area, in the manner of the Rust calibration check."""
    shift = 1e7 / exc - 1e7 / x
    d = shift - RAMAN
    search, left, right = np.abs(d) <= 25, (d < -30) & (d >= -60), (d > 30) & (d <= 60)
    if search.sum() < 3 or left.sum() < 1 or right.sum() < 1:
        return None
    xl, yl, xr, yr = np.median(x[left]), np.median(y[left]), np.median(x[right]), np.median(y[right])
    base = lambda v: yl + (yr - yl) * (v - xl) / (xr - xl)
    wide = np.abs(d) <= 200
    sigma = noise_sigma(y[wide])
    idx = np.where(search)[0]
    k = idx[np.argmax(y[idx] - base(x[idx]))]
    h = y[k] - base(x[k])
    near = (np.abs(d - d[k]) <= 6)
    area = np.trapezoid(y[near] - base(x[near]), x[near]) if near.sum() > 1 else 0.0
    snr = h / sigma
    return {"present": bool(snr >= 6 and area > 0), "snr": snr, "offset": d[k], "area": area}


def prepare(protocol, x, y, exc, raman=None):
    """The manifest's protocol with numpy / scipy / pybaselines; `raman`: the detector's line
    (a `raman_line` normalisation divides by its area)."""
    if protocol["x_unit"] == "nm" and x[0] > 1000:  # wavenumber file for an nm protocol: not ours
        x = 1e7 / x[::-1]
        y = y[::-1]
    for st in protocol["steps"]:
        kind = st["step"]
        if kind == "crop":
            m = (x >= st["lo"]) & (x <= st["hi"])
            x, y = x[m], y[m]
        elif kind == "despike":
            med = np.convolve(y, np.ones(7) / 7, mode="same")
            spikes = (y - med) > st["threshold"] * noise_sigma(y)
            y = np.where(spikes, med, y)
        elif kind == "resample":
            g = st["grid"]
            gx = np.linspace(g["start"], g["stop"], g["n"])
            y = np.interp(gx, x, y)
            x = gx
        elif kind == "smooth":
            y = savgol_filter(y, st["window"], st["polyorder"])
        elif kind == "baseline":
            k = st.get("decimate", 1)
            if k > 1 and len(y) >= 4 * k:
                # on the means of blocks of k points, interpolated back (as the protocol says)
                nb = -(-len(y) // k)
                idx = np.arange(len(y))
                means = np.bincount(idx // k, weights=y) / np.bincount(idx // k)
                centres = np.array([j * k + (min(k, len(y) - j * k) - 1) / 2 for j in range(nb)])
                bc, _ = arpls(means, lam=st["lam"] / k**4, max_iter=st["max_iter"], tol=st["tol"])
                b = np.interp(idx, centres, bc)
            else:
                b, _ = arpls(y, lam=st["lam"], max_iter=st["max_iter"], tol=st["tol"])
            y = y - b
        elif kind == "normalise":
            div = None
            if st["method"] == "raman_area" and exc:
                r = raman_line(x, y, exc)
                div = r["area"] if r and r["present"] else None
            elif st["method"] == "raman_line":
                div = raman["area"] if raman and raman["present"] else None
            elif st["method"] == "two_phonon":
                m = np.abs(x - 1992) <= 5
                div = y[m].mean() / 12.3 if m.any() and y[m].mean() > 0 else None
            if not div or div <= 0:
                div = y.max() if y.max() > 0 else 1.0
            y = y / div
        elif kind == "compress":
            y = np.arcsinh(y / st["scale"])
    return y


def detect(x, y, exc, temp):
    """Peaks matched to the centre table: {centre: snr} and the Raman line."""
    raman = raman_line(x, y, exc) if exc else None
    cold = temp is not None and temp < 150
    sm = savgol_filter(y, 5, 2)
    sigma = noise_sigma(y)
    dx = (x[-1] - x[0]) / (len(x) - 1)
    peaks, props = find_peaks(sm, prominence=6 * sigma, width=(1.2, (2.0 if cold else 8.0) / dx))
    found = {}
    for p, prom in zip(peaks, props["prominences"]):
        pos = x[p] - (raman["offset"] * x[p] ** 2 * 1e-7 if raman and raman["present"] else 0)
        for name, (c, t77, trt, shift, _) in CENTRES.items():
            lo, hi = (c - t77, c + t77) if cold else (c + shift - trt, c + shift + trt)
            if lo <= pos <= hi and (cold or trt > 0):
                found[name] = max(found.get(name, 0), prom / sigma)
    return raman, found


COMPONENTS = np.loadtxt(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../src/lines/ftir/components.csv"),
                        delimiter=",", comments="#")
PPM = np.array([25.0, 16.5, 5.5, 79.4])  # C, A, X (N+), B per cm^-1 of each component


def gauss(x, c, fwhm):
    return np.exp(-0.5 * ((x - c) / (fwhm / 2.354820045)) ** 2)


def lorentz(x, c, fwhm):
    h = fwhm / 2
    return h * h / ((x - c) ** 2 + h * h)


def peak_fit(x, y, lo, hi, c_lo, c_hi, w_lo, w_hi, sigma):
    """Lorentzian on a straight baseline, best of a grid of positions and widths."""
    m = (x >= lo) & (x <= hi)
    xs, ys = x[m], y[m]
    if len(xs) < 8:
        return None
    dx = (xs[-1] - xs[0]) / (len(xs) - 1)
    w_lo = max(w_lo, 1.5 * dx)
    if w_lo > w_hi:
        return None
    step = max(dx, 1.0)
    best = None
    for w in np.geomspace(w_lo, w_hi, 8):
        for c in np.arange(c_lo, c_hi + 1e-9, step):
            a = np.stack([np.ones_like(xs), (xs - (lo + hi) / 2) / 100, lorentz(xs, c, w)], 1)
            coef, res, *_ = np.linalg.lstsq(a, ys, rcond=None)
            if coef[2] > 0 and res.size and (best is None or res[0] < best[0]):
                best = (res[0], c, w, coef[2])
    if best is None or best[1] <= c_lo + step / 2 or best[1] >= c_hi - step / 2:
        return None
    rss, c, w, h = best
    return {"position": c, "fwhm": w, "height": h, "snr": h / max(sigma, math.sqrt(rss / len(xs)) / 2)}


def nitrogen_fit(x, y, k, platelet):
    """The one-phonon fit: C, A, X, B, D components, a free line, the platelet shape and
    ridge-penalised broad bands, by scipy's NNLS (the free line as a +/- pair)."""
    g = np.linspace(1000, 1400, 201)
    yv = np.interp(g, x, y) * k
    noise = noise_sigma(yv)
    cols = [np.interp(g, COMPONENTS[:, 0], COMPONENTS[:, j]) for j in range(1, 6)]
    u = (g - 1200) / 200
    cols += [np.ones_like(g), -np.ones_like(g), u, -u]
    if platelet:
        cols.append(lorentz(g, platelet["position"], platelet["fwhm"]))
    first = len(cols)
    cols += [gauss(g, c, w) for w in (250, 400) for c in range(900, 1501, 50)]
    a = np.stack(cols, 1)
    ridge = np.zeros((len(cols) - first, len(cols)))
    ridge[:, first:] = np.eye(len(cols) - first) * math.sqrt(0.1)
    aa, yy = np.vstack([a, ridge]), np.concatenate([yv, np.zeros(len(cols) - first)])
    coef, _ = nnls(aa, yy, maxiter=2000)
    a0 = aa.copy()
    a0[:, :5] = 0
    coef0, _ = nnls(a0, yy, maxiter=2000)
    rms = lambda c: math.sqrt(np.mean((yv - a @ c) ** 2))
    res, res0 = rms(coef), rms(coef0)
    n_peak = max((a[:, :4] @ coef[:4]).max(), 0.0)
    broad = a[:, first:] @ coef[first:]
    bump = (broad - (broad[0] + (broad[-1] - broad[0]) * (g - g[0]) / (g[-1] - g[0]))).max()
    needed = res0 >= 1.5 * res and n_peak >= 5 * noise
    explained = res <= max(0.05 * n_peak, 3 * max(noise, 1e-6))
    quiet = bump < 0.5 and res <= 0.05
    ppm = coef[:4] * PPM
    return {"determined": (needed and explained) or (not needed and quiet), "ppm": ppm,
            "band": bump if bump >= 0.5 else 0.0, "residual": res, "noise": noise}


def ftir_typing(x, y):
    """Follows src/lines/ftir: the two-phonon scale, the one-phonon nitrogen fit, fitted
    platelet and hydrogen peaks, sharp C 1344 and boron lines, the type and the evidence."""
    def med(lo, hi):
        m = (x >= lo) & (x <= hi)
        return (x[m].mean(), np.median(y[m])) if m.any() else None
    p, q = med(1480, 1520), med(2680, 2720)
    if p is None or q is None:
        return None
    lin = lambda a, b, v: a[1] + (b[1] - a[1]) * (v - a[0]) / (b[0] - a[0])
    m = np.abs(x - 1992) <= 5
    tp = y[m].mean() - lin(p, q, 1992)
    sigma = noise_sigma(y)
    if tp <= 0:
        return {"tp_snr": tp / sigma, "vals": [0.0] * 12, "type": "none", "found": {}}
    k = (12.3 - 0.5) / tp
    sk = sigma * k
    ys = y * k
    peak = lambda *w: (lambda r: r if r and r["height"] >= 0.1 and r["snr"] >= 5 else None)(peak_fit(x, ys, *w, sk))
    plate = peak(1342, 1420, 1355, 1385, 3, 40)
    h1, h2 = peak(3075, 3140, 3102, 3112, 1.5, 15), peak(3100, 3150, 3119, 3127, 1.5, 15)
    fit = nitrogen_fit(x, y, k, plate) if x[0] <= 1000 and x[-1] >= 1400 else None

    def sharp(pos, half, flank):
        l, r = med(pos - half - flank, pos - half), med(pos + half, pos + half + flank)
        w = (x >= pos - half) & (x <= pos + half)
        return ((y[w] - lin(l, r, x[w])).max() * k) if w.any() and l and r else 0.0

    def local(pos):
        w = (x >= pos - 40) & (x <= pos + 40)
        return max(noise_sigma(y[w]) * k, sk) if w.sum() > 8 else sk
    c1344, boron = sharp(1344, 2, 6), sharp(2802, 5, 15)
    boron_ok = boron >= 0.3 and boron / local(2802) >= 5
    typ, found = "unknown", {}
    if fit and fit["determined"]:
        c, a, xx, b = fit["ppm"]
        total = a + b + c + xx
        if total >= 10 and c + xx >= 0.5 * total:
            typ = "Ib"
        elif a + b >= 10:
            typ = {(True, False): "IaA", (False, True): "IaB"}.get((a >= 5, b >= 5), "IaAB")
            for name, v, f in [("A-centre", a, 16.5), ("B-centre", b, 79.4)]:
                if v >= 5:
                    found[name] = v / f / max(fit["noise"], sk)
            if plate:
                found["platelets"] = plate["snr"]
        else:
            typ = "IIb" if boron_ok else "IIa"
    if c1344 >= 0.1 and c1344 / local(1344) >= 5:
        found["C-centre"] = c1344 / local(1344)
    if boron_ok:
        found["boron"] = boron / local(2802)
    for name, pk in [("H 3107", h1), ("H 3123", h2)]:
        if pk:
            found[name] = pk["snr"]
    det = bool(fit and fit["determined"])
    ppm = fit["ppm"] / 10 if det else np.zeros(4)
    hgt = lambda pk: pk["height"] if pk else 0.0
    vals = [1.0 if det else 0.0, ppm[1], ppm[3], ppm[0], ppm[2], fit["band"] if fit else 0.0,
            10 * fit["residual"] if fit else 0.0, c1344, hgt(plate), boron, hgt(h1), hgt(h2)]
    return {"tp_snr": tp / sigma, "vals": vals, "type": typ, "found": found}


def features(path):
    """One file -> (stone_id, channel, feature row, evidence)."""
    meta, x, y = read_csv(path)
    return features_xy(meta, x, y)


def features_xy(meta, x, y):
    """One spectrum (metadata, ascending x, y) -> (stone_id, channel, feature row, evidence)."""
    tech, exc = meta.get("technique"), float(meta["excitation_nm"]) if "excitation_nm" in meta else None
    temp = float(meta["temperature_k"]) if "temperature_k" in meta else None
    channel = "ftir" if tech == "ftir" else ("pl532" if exc and abs(exc - 532) <= 5 else "pl405" if exc and abs(exc - 405) <= 5 else None)
    if channel is None:
        return meta.get("stone_id"), None, None, {}, None
    spec = SPECS[channel]
    raman, found = detect(x, y, exc, temp) if channel != "ftir" else (None, {})
    grid = prepare(spec["protocol"], x, y, exc, raman)
    # a spec without the spectrum in its row (features.spectrum false) reads the findings only
    row = (list(grid) if spec["features"].get("spectrum", True) else []) + [1.0]
    if channel == "ftir":
        t = ftir_typing(x, y)
        found = t["found"] if t else {}
        row += [math.log1p(found.get(c, 0.0)) for c in spec["features"]["centres"]]
        vals = ([math.log1p(max(t["tp_snr"], 0))] + t["vals"]) if t else [0.0] * 13
        row += [math.asinh(v) for v in vals]
        diamond = bool(t and t["tp_snr"] >= 6)
        dtype = t["type"] if t else None
    else:
        row += ([1.0 if raman["present"] else 0.0, math.log1p(max(raman["snr"], 0)), abs(raman["offset"]) / 10 if raman["present"] else 0.0] if raman else [0.0, 0.0, 0.0])
        row += [math.log1p(found.get(c, 0.0)) for c in spec["features"]["centres"]]
        diamond = bool(raman and raman["present"])
        dtype = None
    return meta.get("stone_id"), channel, np.asarray(row, dtype=np.float32), found, (diamond, dtype)


def init(models):
    global SPECS
    SPECS = {}
    for d in sorted(glob.glob(os.path.join(models, "*", "manifest.json"))):
        m = json.load(open(d))
        SPECS[m["channel"]] = m


def fuse(chans, prior, threshold):
    logit = np.zeros(3)
    for p in chans:
        q = np.maximum([p[0], p[1] + p[2], p[3]], 1e-4)
        logit += np.log(q)
    pri = np.array([prior[0], prior[1] + prior[2], prior[3]])
    logit -= (len(chans) - 1) * np.log(pri)
    e = np.exp(logit - logit.max())
    return e / e.sum()


def prior_threshold():
    spec0 = next(iter(SPECS.values()))
    counts = spec0["training"]["rows_per_class"]
    total = sum(counts.values())
    return [counts[c] / total for c in CLASSES], spec0["thresholds"]["p_synthetic_pass"]


def decide(sid, rows, ps, prior, threshold):
    """A stone's rows (from features_xy) and model outputs -> its record."""
    fused = fuse(ps, prior, threshold) if ps else None
    found = {k for r in rows for k in r[3]}
    diamond = any(r[4] and r[4][0] for r in rows)
    type_ii = any(r[4] and (r[4][1] or "").startswith("II") for r in rows)
    synthetic = any(CENTRES.get(k, (0, 0, 0, 0, ""))[4] in ("cvd", "hpht") or k in ("C-centre", "H 3123") for k in found)
    if not diamond:
        verdict = "simulant"
    elif found & PASS and not synthetic and not type_ii and fused is not None and fused[1] <= threshold and fused[2] < 0.5:
        verdict = "natural"
    else:
        verdict = "refer"
    return {"stone_id": sid, "verdict": verdict, "p_synthetic": None if fused is None else float(fused[1])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--models", default="models")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    t0 = time.time()
    init(args.models)
    files = sorted(f for f in glob.glob(os.path.join(args.dir, "**", "*.csv"), recursive=True) if not f.endswith("labels.csv"))
    with Pool(args.workers, initializer=init, initargs=(args.models,)) as pool:
        rows = pool.map(features, files, chunksize=64)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.workers
    probs = {}
    for channel, spec in SPECS.items():
        idx = [i for i, r in enumerate(rows) if r[1] == channel]
        if not idx:
            continue
        sess = ort.InferenceSession(os.path.join(args.models, spec["id"], "model.onnx"), opts, providers=["CPUExecutionProvider"])
        out = sess.run(None, {"features": np.stack([rows[i][2] for i in idx])})[0]
        for i, p in zip(idx, out):
            probs[i] = p
    stones = {}
    for i, r in enumerate(rows):
        stones.setdefault(r[0], []).append(i)
    prior, threshold = prior_threshold()
    out = sys.stdout
    for sid, idx in sorted(stones.items()):
        record = decide(sid, [rows[i] for i in idx], [probs[i] for i in idx if i in probs], prior, threshold)
        out.write(json.dumps(record) + "\n")
    print(f"python reference: {len(stones)} stones, {len(files)} files in {time.time() - t0:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
