"""Reference outputs for the preprocessing steps, from scipy / numpy / pybaselines.

Run once (numpy 2.4.6, scipy 1.17.1, pybaselines 1.2.1) to regenerate preprocess.json:
    pip install numpy==2.4.6 scipy==1.17.1 pybaselines==1.2.1
    python3 tests/reference/make_reference.py
The Rust tests in tests/preprocess_reference.rs compare
against the committed JSON; Python is not needed to run them.
"""
import json
import os

import numpy as np
import pybaselines
import scipy
from scipy.signal import savgol_filter

rng = np.random.default_rng(20261126)
out = {"generated_with": {"numpy": np.__version__, "scipy": scipy.__version__,
                          "pybaselines": pybaselines.__version__}}

# Savitzky-Golay (mode="interp", scipy's default)
y = np.sin(np.linspace(0, 6, 120)) * 50 + rng.normal(0, 3, 120)
out["savgol"] = [
    {"y": y.tolist(), "window": w, "order": p, "out": savgol_filter(y, w, p).tolist()}
    for (w, p) in [(11, 3), (7, 2), (21, 4)]
]

# numpy.interp onto a uniform grid from irregular x
x = np.sort(rng.uniform(500, 600, 90))
y = np.cos(x / 7) * 10 + x / 50
grid = np.linspace(490, 610, 200)
out["resample"] = {"x": x.tolist(), "y": y.tolist(), "start": 490.0, "stop": 610.0, "n": 200,
                   "out": np.interp(grid, x, y).tolist()}

# arPLS baseline (pybaselines.whittaker.arpls)
from pybaselines.whittaker import arpls

n = 400
t = np.linspace(0, 1, n)
bg = 200 + 150 * t - 120 * t ** 2 + 30 * np.sin(3 * t)
peaks = 80 * np.exp(-0.5 * ((t - 0.3) / 0.01) ** 2) + 40 * np.exp(-0.5 * ((t - 0.7) / 0.02) ** 2)
y = bg + peaks + rng.normal(0, 1.0, n)
cases = []
for lam in (1e4, 1e6):
    base, params = arpls(y, lam=lam, max_iter=50, tol=1e-3)
    cases.append({"y": y.tolist(), "lam": lam, "max_iter": 50, "tol": 1e-3, "out": base.tolist(),
                  "iterations": int(len(params["tol_history"]))})
out["arpls"] = cases

path = os.path.join(os.path.dirname(__file__), "preprocess.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
