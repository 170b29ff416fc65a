#!/usr/bin/env python3
"""Reference whole-volume segmentation: ml4paleo's default method applied slice by slice.

skimage.feature.multiscale_basic_features(sigma_min=1, sigma_max=32) per 2D slice (no halo across
slices), sklearn RandomForestClassifier(n_estimators=50, max_depth=12, n_jobs=-1, random_state=0)
trained on the labelled voxels of the labelled slices, then features + predict_proba on every slice.

Input: a folder written by `trowel-bench segment --write-inputs DIR` (scan.u8, labels.u8, truth.u8:
raw uint8, z-y-x order; shape.json), or explicit --scan/--labels/--truth/--shape.
Prints one JSON object; progress goes to stderr.
"""
import argparse, json, os, resource, sys, time
import numpy as np
from skimage.feature import multiscale_basic_features
from sklearn.ensemble import RandomForestClassifier

p = argparse.ArgumentParser()
p.add_argument("--inputs", help="folder with scan.u8, labels.u8, truth.u8, shape.json")
p.add_argument("--scan")
p.add_argument("--labels")
p.add_argument("--truth", help="raw uint8 full ground truth (class ids) to score against")
p.add_argument("--shape", help="Z,Y,X")
p.add_argument("--sigma-min", type=float, default=1)
p.add_argument("--sigma-max", type=float, default=32)
p.add_argument("--trees", type=int, default=50)
p.add_argument("--depth", type=int, default=12)
a = p.parse_args()

if a.inputs:
    meta = json.load(open(os.path.join(a.inputs, "shape.json")))
    shape = (meta["z"], meta["y"], meta["x"])
    a.scan = a.scan or os.path.join(a.inputs, "scan.u8")
    a.labels = a.labels or os.path.join(a.inputs, "labels.u8")
    t = os.path.join(a.inputs, "truth.u8")
    a.truth = a.truth or (t if os.path.exists(t) else None)
else:
    if not (a.scan and a.labels and a.shape):
        p.error("give --inputs, or --scan, --labels and --shape")
    shape = tuple(int(v) for v in a.shape.split(","))

# Memory-mapped, like reading slices from a stack on disk.
scan = np.memmap(a.scan, np.uint8, "r", shape=shape)
lab = np.memmap(a.labels, np.uint8, "r", shape=shape)

def features(z):
    return multiscale_basic_features(np.asarray(scan[z]), intensity=True, edges=True, texture=True,
                                     sigma_min=a.sigma_min, sigma_max=a.sigma_max)

# Training: features of the labelled slices, the labelled voxels only.
t0 = time.perf_counter()
X, y = [], []
labelled = [z for z in range(shape[0]) if lab[z].any()]
for z in labelled:
    sel = np.asarray(lab[z]) > 0
    X.append(features(z)[sel]); y.append(np.asarray(lab[z])[sel])
X, y = np.concatenate(X), np.concatenate(y)
clf = RandomForestClassifier(n_estimators=a.trees, max_depth=a.depth, n_jobs=-1, random_state=0)
clf.fit(X, y)
train_s = time.perf_counter() - t0
n_train, n_feat = X.shape
del X, y

# Segmentation: every slice, features + predict_proba, argmax.
pred = np.empty(shape, np.uint8)
t0 = time.perf_counter()
for z in range(shape[0]):
    F = features(z)
    proba = clf.predict_proba(F.reshape(-1, F.shape[-1]))
    pred[z] = clf.classes_[proba.argmax(1)].reshape(shape[1:])
    if z % 16 == 15:
        el = time.perf_counter() - t0
        print(f"reference: {z + 1}/{shape[0]} slices, {(z + 1) * shape[1] * shape[2] / el / 1e6:.2f} Mvox/s",
              file=sys.stderr, flush=True)
seconds = time.perf_counter() - t0

voxels = int(np.prod(shape))
out = {
    "pipeline": "skimage+sklearn slice by slice (ml4paleo default)",
    "shape": list(shape), "voxels": voxels, "features": int(n_feat), "labelled_slices": len(labelled),
    "train_samples": int(n_train), "trees": a.trees, "max_depth": a.depth, "cores": os.cpu_count(),
    "train_s": train_s, "seconds": seconds, "mvox_per_s": voxels / seconds / 1e6,
    "end_to_end_mvox_per_s": voxels / (seconds + train_s) / 1e6,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}
if a.truth:
    truth = np.memmap(a.truth, np.uint8, "r", shape=shape)
    out["accuracy_vs_truth"] = float(np.mean(pred == truth))
print(json.dumps(out, sort_keys=True))
