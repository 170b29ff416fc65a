#!/usr/bin/env python3
"""Writes Tests/TrowelMLTests/Fixtures/otsu.json: small images of several dtypes and what
scikit-image's threshold_otsu and threshold_multiotsu (classes 3 and 4) return for them, and the
Hu moments (skimage.measure.moments_hu of moments_central/normalized) of a few binary shapes.
Run with a Python that has numpy and scikit-image:  python Scripts/make-threshold-fixtures.py
"""
import json, os
import numpy as np
import skimage
from skimage.filters import threshold_otsu, threshold_multiotsu
from skimage.measure import moments_central, moments_normalized, moments_hu

rng = np.random.default_rng(12)

def mixture(n, means, sds, weights):
    k = rng.choice(len(means), size=n, p=weights)
    return rng.normal(np.array(means)[k], np.array(sds)[k])

cases = []
def add(name, image):
    entry = {"name": name, "dtype": str(image.dtype), "values": image.ravel().tolist(),
             "otsu": float(threshold_otsu(image))}
    for k in (3, 4):
        entry[f"multiotsu{k}"] = [float(t) for t in threshold_multiotsu(image, classes=k)]
    cases.append(entry)

n = 48 * 48
add("u8-bimodal", np.clip(mixture(n, [60, 170], [15, 25], [0.6, 0.4]), 0, 255).astype(np.uint8))
add("u8-trimodal", np.clip(mixture(n, [30, 110, 220], [10, 12, 8], [0.5, 0.3, 0.2]), 0, 255).astype(np.uint8))
add("u8-narrow", np.clip(mixture(n, [100, 112], [2, 3], [0.5, 0.5]), 0, 255).astype(np.uint8))
# 16-bit cases span ~1500 and ~400 integers: one bin each, as scikit-image bins integer data
# (16-bit multi-Otsu over 4 classes goes through the dynamic programme, not brute force).
add("u16-ct", np.clip(mixture(n, [9000, 9500, 10200], [60, 80, 90], [0.5, 0.35, 0.15]), 0, 65535).astype(np.uint16)[:900])
add("i16-hu", np.clip(mixture(n, [-150, 20, 200], [20, 25, 30], [0.3, 0.5, 0.2]), -32768, 32767).astype(np.int16)[:900])
add("f64-mixture", mixture(n, [0.2, 0.5, 0.9], [0.05, 0.07, 0.04], [0.4, 0.4, 0.2]))
add("f32-mixture", mixture(n, [-3.0, 1.0, 4.0], [0.6, 0.5, 0.8], [0.3, 0.4, 0.3]).astype(np.float32))

shapes = []
yy, xx = np.mgrid[0:40, 0:40]
def shape(name, mask):
    mask = mask.astype(np.float64)
    mu = moments_central(mask)
    hu = moments_hu(moments_normalized(mu))
    shapes.append({"name": name, "height": 40, "width": 40, "mask": mask.astype(np.uint8).ravel().tolist(),
                   "hu": [float(h) for h in hu]})
shape("ellipse", ((yy - 20) / 14.0) ** 2 + ((xx - 18) / 7.0) ** 2 <= 1)
shape("square", (abs(yy - 15) <= 8) & (abs(xx - 22) <= 8))
shape("crescent", ((yy - 20) ** 2 + (xx - 20) ** 2 <= 196) & ((yy - 20) ** 2 + (xx - 26) ** 2 > 120))
shape("ell", ((yy > 5) & (yy < 35) & (xx > 5) & (xx < 12)) | ((yy > 28) & (yy < 35) & (xx > 5) & (xx < 30)))

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "TrowelMLTests", "Fixtures", "otsu.json")
with open(out, "w") as f:
    json.dump({"skimage": skimage.__version__, "numpy": np.__version__, "cases": cases, "shapes": shapes}, f)
print("wrote", os.path.normpath(out))
