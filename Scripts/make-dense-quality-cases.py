#!/usr/bin/env python3
"""Copies two real quality cases (made by make-real-quality-scans.py) with their labels moved:
dense on every few slices of the lesion instead of two slices, scored on the other slices with
truth in the same range. Shows where the random walker prior is kept.
Usage: make-dense-quality-cases.py REAL_CASES_DIR OUT_DIR"""
import json, os, sys
import numpy as np

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name, new, labelled in [("lung2-lesion", "lung2-lesion-every3", [15, 18, 21, 24]),
                            ("brain1-lesion", "brain1-lesion-every2", [11, 13, 15, 17])]:
    meta = json.load(open(f"{src}/{name}/meta.json"))
    shape = (meta["z"], meta["y"], meta["x"])
    truth = np.fromfile(f"{src}/{name}/truth.u8", dtype=np.uint8).reshape(shape)
    first = min(meta["scored_slices"] + meta["labelled_slices"])
    last = max(meta["scored_slices"] + meta["labelled_slices"])
    scored = [z for z in range(first, last + 1) if z not in labelled and (truth[z] != 0).any()]
    out = f"{dst}/{new}"
    os.makedirs(out, exist_ok=True)
    labels = np.zeros(shape, np.uint8)
    for z in labelled:
        labels[z] = truth[z]
    labels.tofile(f"{out}/labels.u8")
    for f in ["scan.raw", "truth.u8"]:
        if not os.path.exists(f"{out}/{f}"):
            os.symlink(os.path.abspath(f"{src}/{name}/{f}"), f"{out}/{f}")
    meta.update(name=new, labelled_slices=labelled, scored_slices=scored,
                description=meta["description"] + f" — labelled densely on slices {labelled} instead")
    json.dump(meta, open(f"{out}/meta.json", "w"), indent=1)
    print(new, "labelled", labelled, "scored", scored)
