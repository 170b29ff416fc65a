#!/usr/bin/env python3
"""Reference whole-volume segmentation: ml4paleo's default method applied slice by slice.

skimage.feature.multiscale_basic_features(sigma_min=1, sigma_max=32) per 2D slice (no halo across
slices), sklearn RandomForestClassifier(n_estimators=50, max_depth=12, n_jobs=-1, random_state=0)
trained on the labelled voxels of the labelled slices, then features + predict_proba on every slice.

--features 3d: the same method with 3D features (30 per voxel), computed chunk by chunk (--chunk,
default 128³) without a halo, as ml4paleo processes chunks; training takes the labelled voxels of
every chunk that has any (features computed once for training, again for prediction).

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
p.add_argument("--features", choices=["2d", "3d"], default="2d")
p.add_argument("--chunk", type=int, default=128, help="chunk side for --features 3d")
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

def chunk_features(box):
    return multiscale_basic_features(np.asarray(scan[box]), intensity=True, edges=True, texture=True,
                                     sigma_min=a.sigma_min, sigma_max=a.sigma_max)

if a.features == "2d":
    units = [(z,) for z in range(shape[0])]                      # one slice each
else:
    c = a.chunk
    units = [(slice(z, z + c), slice(y, y + c), slice(x, x + c))
             for z in range(0, shape[0], c) for y in range(0, shape[1], c) for x in range(0, shape[2], c)]

def unit_features(u):
    return features(u[0]) if a.features == "2d" else chunk_features(u)

def unit_index(u):
    return u[0] if a.features == "2d" else u

# Training: features of the labelled slices (chunks), the labelled voxels only.
t0 = time.perf_counter()
X, y = [], []
labelled = [u for u in units if np.asarray(lab[unit_index(u)]).any()]
for u in labelled:
    sel = np.asarray(lab[unit_index(u)]) > 0
    X.append(unit_features(u)[sel]); y.append(np.asarray(lab[unit_index(u)])[sel])
X, y = np.concatenate(X), np.concatenate(y)
clf = RandomForestClassifier(n_estimators=a.trees, max_depth=a.depth, n_jobs=-1, random_state=0)
clf.fit(X, y)
train_s = time.perf_counter() - t0
n_train, n_feat = X.shape
del X, y

# Segmentation: every slice (chunk), features + predict_proba, argmax.
pred = np.empty(shape, np.uint8)
t0 = time.perf_counter()
done = 0
for i, u in enumerate(units):
    F = unit_features(u)
    proba = clf.predict_proba(F.reshape(-1, F.shape[-1]))
    pred[unit_index(u)] = clf.classes_[proba.argmax(1)].reshape(F.shape[:-1])
    done += int(np.prod(F.shape[:-1]))
    if i % 16 == 15:
        el = time.perf_counter() - t0
        print(f"reference: {i + 1}/{len(units)} {'slices' if a.features == '2d' else 'chunks'}, "
              f"{done / el / 1e6:.2f} Mvox/s", file=sys.stderr, flush=True)
seconds = time.perf_counter() - t0

voxels = int(np.prod(shape))
out = {
    "pipeline": "skimage+sklearn slice by slice (ml4paleo default)" if a.features == "2d"
                else f"skimage+sklearn, 3D features chunk by chunk ({a.chunk}³, no halo)",
    "shape": list(shape), "voxels": voxels, "features": int(n_feat), "labelled_units": len(labelled),
    "train_samples": int(n_train), "trees": a.trees, "max_depth": a.depth, "cores": os.cpu_count(),
    "train_s": train_s, "seconds": seconds, "mvox_per_s": voxels / seconds / 1e6,
    "end_to_end_mvox_per_s": voxels / (seconds + train_s) / 1e6,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}
if a.truth:
    truth = np.memmap(a.truth, np.uint8, "r", shape=shape)
    out["accuracy_vs_truth"] = float(np.mean(pred == truth))
print(json.dumps(out, sort_keys=True))
