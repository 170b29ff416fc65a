#!/usr/bin/env python3
"""Reference segmentation quality: ml4paleo's random forest method on one benchmark case.

Usage:
    python Scripts/reference-quality.py --inputs DIR [--class-weight none|balanced]
        [--sigma-min 1] [--sigma-max 32] [--trees 50] [--depth 12] [--subsample F]
        [--normalise issue|ml4paleo] [--raw]

DIR holds meta.json, scan.raw, labels.u8, truth.u8 as written by
Scripts/make-real-quality-scans.py (scan: little-endian, C order z-y-x, meta["dtype"]; labels and
truth: uint8, 0 = unlabelled/unknown, meta["target_class"] = the target structure).

Method (ml4paleo, github.com/j6k4m8/ml4paleo at d155c37, ml4paleo/segmentation/rf.py and
webapp/segmentrunner.py):
  * features per 2D slice: skimage.feature.multiscale_basic_features(intensity=True, edges=True,
    texture=True, sigma_min=1, sigma_max=32)                               (rf.py lines 12-19)
  * RandomForestClassifier(n_estimators=50, max_depth=12, n_jobs=-1), no class_weight, no
    random_state (we add random_state=0, or --seed, for repeatability)      (rf.py 42-55, segmentrunner 51-66)
  * training voxels: every labelled (non-zero) voxel of the labelled slices; ml4paleo keeps every
    non-zero mask voxel and only subsamples the zero ("unlabelled") voxels [::500], which it
    trains as class 0 = background (rf.py 125-163). Our labelled slices are painted densely with
    1/2, so that branch does not arise; --subsample F keeps a deterministic random fraction F of
    the labelled voxels for experiments (default 1 = ml4paleo).
  * prediction: argmax of predict_proba (ml4paleo calls predict(), which is the same argmax).
Normalisation (--normalise):
  issue     (default) uint8: /255 (img_as_float); other dtypes: the scan's 0.5 and 99.5
            percentiles (whole volume) map to 0..1, clipped — as issue 10 describes.
  ml4paleo  ml4paleo trains on the raw volume slices (webapp/apputils.py
            load_annotation_source_slice, lines 128-170); its 1/99.5-percentile window
            (normalize_annotation_volume, 1418-) is only for the 8-bit display PNGs. skimage then
            applies img_as_float32 inside multiscale_basic_features (int16: /32767, uint16:
            /65535). So: no clipping, a linear scale.
--raw adds the normalised intensity itself as one more feature column.
Scoring: on meta["scored_slices"], voxels with truth > 0: precision, recall, F1 of the target class
(target vs everything else), and F1 of each class vs the rest.
Prints one JSON line on stdout; progress goes to stderr.
"""
import argparse, json, os, sys, time
import numpy as np
from skimage.feature import multiscale_basic_features
from sklearn.ensemble import RandomForestClassifier

DTYPES = {"uint8": "u1", "uint16": "<u2", "int16": "<i2", "float32": "<f4"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--inputs", required=True)
    p.add_argument("--class-weight", choices=["none", "balanced"], default="none")
    p.add_argument("--sigma-min", type=float, default=1)
    p.add_argument("--sigma-max", type=float, default=32)
    p.add_argument("--trees", type=int, default=50)
    p.add_argument("--depth", type=int, default=12)
    p.add_argument("--subsample", type=float, default=1.0,
                   help="fraction of labelled voxels used for training (default 1, as ml4paleo)")
    p.add_argument("--normalise", "--normalize", choices=["issue", "ml4paleo"], default="issue")
    p.add_argument("--raw", action="store_true", help="add the normalised intensity as a feature")
    p.add_argument("--seed", type=int, default=0, help="the forest's random_state")
    a = p.parse_args()

    t_all = time.perf_counter()
    meta = json.load(open(os.path.join(a.inputs, "meta.json")))
    shape = (meta["z"], meta["y"], meta["x"])
    scan = np.fromfile(os.path.join(a.inputs, "scan.raw"), DTYPES[meta["dtype"]]).reshape(shape)
    labels = np.fromfile(os.path.join(a.inputs, "labels.u8"), np.uint8).reshape(shape)
    truth = np.fromfile(os.path.join(a.inputs, "truth.u8"), np.uint8).reshape(shape)
    target = int(meta["target_class"])
    classes = sorted(int(c) for c in meta["classes"])

    if a.normalise == "ml4paleo" or meta["dtype"] == "uint8":
        def norm(s):
            return s                      # multiscale_basic_features applies img_as_float32
        lo = hi = None
    else:
        lo, hi = (float(v) for v in np.percentile(scan, [0.5, 99.5]))
        if hi <= lo:
            hi = lo + 1

        def norm(s):
            return np.clip((s.astype(np.float32) - lo) / (hi - lo), 0, 1)

    def features(z):
        img = norm(scan[z])
        f = multiscale_basic_features(img, intensity=True, edges=True, texture=True,
                                      sigma_min=a.sigma_min, sigma_max=a.sigma_max)
        if a.raw:
            from skimage.util import img_as_float32
            f = np.concatenate([f, img_as_float32(img)[..., None]], axis=-1)
        return f

    feat_s = 0.0
    X, y = [], []
    for z in meta["labelled_slices"]:
        t = time.perf_counter()
        f = features(z)
        feat_s += time.perf_counter() - t
        sel = labels[z] > 0
        X.append(f[sel])
        y.append(labels[z][sel])
    X, y = np.concatenate(X), np.concatenate(y)
    if a.subsample < 1:
        rng = np.random.default_rng(0)
        keep = np.sort(rng.choice(len(y), max(1, int(round(len(y) * a.subsample))), replace=False))
        X, y = X[keep], y[keep]
    log(f"{meta['name']}: training on {len(y)} voxels x {X.shape[1]} features "
        f"(normalise={a.normalise}, range {lo}..{hi})")

    t = time.perf_counter()
    clf = RandomForestClassifier(n_estimators=a.trees, max_depth=a.depth, n_jobs=-1,
                                 random_state=a.seed,
                                 class_weight=None if a.class_weight == "none" else "balanced")
    clf.fit(X, y)
    train_s = time.perf_counter() - t
    n_features, n_train = X.shape[1], len(y)
    del X, y

    pred_s = 0.0
    preds, truths = [], []
    for z in meta["scored_slices"]:
        sel = truth[z] > 0
        t = time.perf_counter()
        f = features(z)[sel]
        feat_s += time.perf_counter() - t
        t = time.perf_counter()
        pr = clf.classes_[np.argmax(clf.predict_proba(f), axis=1)]
        pred_s += time.perf_counter() - t
        preds.append(pr)
        truths.append(truth[z][sel])
        log(f"  slice {z}: {sel.sum()} voxels")
    pred, tru = np.concatenate(preds), np.concatenate(truths)

    def prf(c):
        tp = int(((pred == c) & (tru == c)).sum())
        fp = int(((pred == c) & (tru != c)).sum())
        fn = int(((pred != c) & (tru == c)).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        return f1, prec, rec

    f1, prec, rec = prf(target)
    name = (f"ml4paleo-rf skimage-mbf2d sigma {a.sigma_min:g}-{a.sigma_max:g} "
            f"trees {a.trees} depth {a.depth} cw {a.class_weight} norm {a.normalise}"
            + (" +raw" if a.raw else "") + (f" subsample {a.subsample:g}" if a.subsample < 1 else ""))
    out = {"pipeline": name, "case": meta["name"], "f1": round(f1, 4), "precision": round(prec, 4),
           "recall": round(rec, 4),
           "f1_per_class": {str(c): round(prf(c)[0], 4) for c in classes},
           "train_samples": int(n_train),
           "features": int(n_features), "scored_voxels": int(len(tru)),
           "seconds": round(time.perf_counter() - t_all, 2), "features_s": round(feat_s, 2),
           "train_s": round(train_s, 2), "predict_s": round(pred_s, 2)}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
