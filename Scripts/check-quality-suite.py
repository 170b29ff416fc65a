#!/usr/bin/env python3
"""Quick reference check of the hard-fossil quality suite.

For each case folder (meta.json, scan.raw, labels.u8, truth.u8) under ROOT: per-slice
skimage multiscale_basic_features (sigma 1..32) on the scan normalised (uint8: /255, else the
0.5 and 99.5 percentiles to 0..1, clipped), a RandomForestClassifier (50 trees, max depth 12)
trained on the labelled voxels, F1 of class 1 on the scored slices.

--better adds what a better method could use: the raw intensity, sigma 0.5 and 0.7, local
standard deviation (texture) and per-slice normalisation; --png DIR writes one scored slice per
case (scan | truth | reference prediction) for looking at.

    python3 Scripts/check-quality-suite.py /tmp/trowel-bench-quality/suite [--better] [--png DIR]

`trowel-bench quality` writes the suite there (its --work-dir) the first time it runs.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from scipy import ndimage
from skimage.feature import multiscale_basic_features
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score

DTYPES = {"uint8": "<u1", "uint16": "<u2", "int16": "<i2", "float32": "<f4"}


def load(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    shape = (meta["z"], meta["y"], meta["x"])
    scan = np.fromfile(os.path.join(folder, "scan.raw"), dtype=DTYPES[meta["dtype"]]).reshape(shape)
    labels = np.fromfile(os.path.join(folder, "labels.u8"), dtype=np.uint8).reshape(shape)
    truth = np.fromfile(os.path.join(folder, "truth.u8"), dtype=np.uint8).reshape(shape)
    return meta, scan, labels, truth


def normalise(scan, dtype):
    if dtype == "uint8":
        return scan.astype(np.float32) / 255.0
    lo, hi = np.percentile(scan, [0.5, 99.5])
    return np.clip((scan.astype(np.float32) - lo) / max(hi - lo, 1e-6), 0, 1)


def features(img, better):
    f = multiscale_basic_features(img, sigma_min=1, sigma_max=32)
    if not better:
        return f
    extra = [img[..., None]]
    fine = multiscale_basic_features(img, sigma_min=0.5, sigma_max=0.7, num_sigma=2)
    extra.append(fine)
    for s in (1.0, 2.0, 4.0):
        m = ndimage.gaussian_filter(img, s)
        v = ndimage.gaussian_filter(img * img, s) - m * m
        extra.append(np.sqrt(np.maximum(v, 0))[..., None])
        hp = img - ndimage.gaussian_filter(img, 0.7)
        extra.append(np.sqrt(ndimage.gaussian_filter(hp * hp, s))[..., None])
    return np.concatenate([f] + extra, axis=-1)


def run(folder, better, png):
    t0 = time.time()
    meta, scan, labels, truth = load(folder)
    if better:
        # Per-slice normalisation takes out drift along z.
        norm = np.stack([normalise(s, "float") for s in scan])
    else:
        norm = normalise(scan, meta["dtype"])
    lab, sco = meta["labelled_slices"], meta["scored_slices"]
    X, y = [], []
    for z in lab:
        f = features(norm[z], better)
        m = labels[z] > 0
        X.append(f[m])
        y.append(labels[z][m])
    X, y = np.concatenate(X), np.concatenate(y)
    rf = RandomForestClassifier(n_estimators=50, max_depth=12, n_jobs=-1, random_state=0)
    rf.fit(X, y)
    preds, truths = [], []
    shown = None
    for z in sco:
        p = rf.predict(features(norm[z], better).reshape(-1, X.shape[1])).reshape(norm[z].shape)
        preds.append(p.ravel())
        truths.append(truth[z].ravel())
        if shown is None and z >= meta["z"] // 2 or z == sco[-1] and shown is None:
            shown = (z, p)
    pred, tru = np.concatenate(preds), np.concatenate(truths)
    keep = tru > 0
    f1 = f1_score(tru[keep] == 1, pred[keep] == 1)
    bone = float(np.mean(truth == 1))
    if png:
        from skimage import io
        z, p = shown
        lo, hi = np.percentile(scan[z], [0.5, 99.5])
        img = np.clip((scan[z].astype(np.float32) - lo) / max(hi - lo, 1e-6), 0, 1)
        row = np.concatenate([img, (truth[z] == 1).astype(np.float32), (p == 1).astype(np.float32)], axis=1)
        os.makedirs(png, exist_ok=True)
        io.imsave(os.path.join(png, f"{meta['name']}.png"), (row * 255).astype(np.uint8), check_contrast=False)
    return f1, bone, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--better", action="store_true")
    ap.add_argument("--png")
    ap.add_argument("--only", help="comma-separated case names")
    a = ap.parse_args()
    names = sorted(d for d in os.listdir(a.root) if os.path.exists(os.path.join(a.root, d, "meta.json")))
    if a.only:
        names = [n for n in names if n in a.only.split(",")]
    results = {}
    for name in names:
        f1, bone, secs = run(os.path.join(a.root, name), a.better, a.png)
        results[name] = round(float(f1), 3)
        print(f"{name:22s} F1(bone) {f1:.3f}  bone fraction {bone:.3f}  {secs:.1f} s", flush=True)
    print(json.dumps({"method": "better" if a.better else "reference", "f1": results}))


if __name__ == "__main__":
    sys.exit(main())
