"""The Python reference service: FastAPI + the reference pipeline of screen.py (numpy/scipy/
pybaselines preprocessing, onnxruntime, the same models), answering POST /v1/screen with the
same JSON stone body as diamond-screen. Written the way a Python team would serve it, for the
side-by-side load test in benches/load/run.sh:

    MODELS=models uvicorn service:app --app-dir benches/python_reference --workers 2
"""
import os

import numpy as np
import onnxruntime as ort
from fastapi import Body, FastAPI, HTTPException

import screen

MODELS = os.environ.get("MODELS", "models")
screen.init(MODELS)
PRIOR, THRESHOLD = screen.prior_threshold()
_opts = ort.SessionOptions()
_opts.intra_op_num_threads = 1  # one process per core (uvicorn --workers)
SESSIONS = {
    ch: ort.InferenceSession(os.path.join(MODELS, spec["id"], "model.onnx"), _opts, providers=["CPUExecutionProvider"])
    for ch, spec in screen.SPECS.items()
}

app = FastAPI(title="diamond-screen Python reference")


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/v1/screen")
def screen_one(stone: dict = Body(...)):
    sid = stone.get("stone_id") or "stone-0"
    rows, probs = [], []
    for sp in stone.get("spectra", []):
        x = np.asarray(sp["x"], dtype=float)
        y = np.asarray(sp["y"], dtype=float)
        if x.size < 16 or x.size != y.size:
            raise HTTPException(422, "each spectrum needs at least 16 points and as many y as x")
        order = np.argsort(x)
        meta = {k: str(sp[k]) for k in ("technique", "excitation_nm", "temperature_k") if sp.get(k) is not None}
        meta["stone_id"] = sid
        row = screen.features_xy(meta, x[order], y[order])
        rows.append(row)
        if row[1] is not None:
            sess = SESSIONS[row[1]]
            probs.append(sess.run(None, {"features": row[2][None, :]})[0][0])
    if not rows:
        raise HTTPException(422, "no spectra")
    return screen.decide(sid, rows, probs, PRIOR, THRESHOLD)
