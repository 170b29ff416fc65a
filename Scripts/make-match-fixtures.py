#!/usr/bin/env python3
"""Writes Tests/TrowelMLTests/Fixtures/match.json: small pairs of grey images and what
scikit-image's structural_similarity (Wang et al.'s windowed SSIM: Gaussian window sigma 1.5,
K1 0.01, K2 0.03, population covariance) returns for them, and their normalised cross-correlation
by the direct formula sum((a - mean a)(b - mean b)) / sqrt(sum (a - mean a)^2 sum (b - mean b)^2).
Run with a Python that has numpy and scikit-image:  python Scripts/make-match-fixtures.py
"""
import json, os
import numpy as np
import skimage
from skimage.metrics import structural_similarity

rng = np.random.default_rng(21)
cases = []

def add(name, a, b, data_range):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ssim = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=data_range)
    da, db = a - a.mean(), b - b.mean()
    ncc = float((da * db).sum() / np.sqrt((da * da).sum() * (db * db).sum()))
    cases.append({"name": name, "height": a.shape[0], "width": a.shape[1], "a": a.ravel().tolist(),
                  "b": b.ravel().tolist(), "data_range": data_range, "ssim": float(ssim), "ncc": ncc})

yy, xx = np.mgrid[0:24, 0:20]
blob = 100 + 80 * np.exp(-((yy - 11) ** 2 + (xx - 9) ** 2) / 30.0)
add("blob-noise", blob, blob + rng.normal(0, 8, blob.shape), 255.0)
add("blob-contrast", blob, 0.6 * blob + 40 + rng.normal(0, 3, blob.shape), 255.0)
add("blob-shifted", blob, np.roll(blob, 3, axis=1), 255.0)
u = rng.uniform(0, 1, (16, 16))
add("uniform-independent", u, rng.uniform(0, 1, (16, 16)), 1.0)
add("uniform-self", u, u, 1.0)
ramp = np.add.outer(np.arange(13.0), np.arange(17.0) * 0.5)
add("ramp-inverted", ramp, -ramp + rng.normal(0, 0.2, ramp.shape), float(ramp.max() - ramp.min()))

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "TrowelMLTests", "Fixtures", "match.json")
with open(out, "w") as f:
    json.dump({"skimage": skimage.__version__, "numpy": np.__version__, "cases": cases}, f)
print("wrote", os.path.normpath(out))
