#!/usr/bin/env python3
"""Real labelled scans for the segmentation quality benchmark (issue 10).

Usage:
    python Scripts/make-real-quality-scans.py OUT [--pyradiomics PATH]

Source: the PyPI source distribution of pyradiomics 3.1.0 (BSD-3-Clause, Copyright 2017 Harvard
Medical School), which ships its test cases in data/ as gzip NRRD files: lung1, lung2 (chest CT, HU,
with a lesion mask), brain1, brain2 (brain MR with a lesion mask), breast1 (tiny MR crop). The
wheel-less sdist is the only PyPI artefact for 3.1.0 and it carries the data; the installed package
does NOT (radiomics.getTestCase() downloads from GitHub at run time, which fails offline). The
masks' provenance (who drew them) is not documented in the package.

Get the sdist once (nothing is installed; this script only reads the tarball):
    pip download --no-deps --no-binary :all: pyradiomics==3.1.0 -d DIR
(pip insists on preparing metadata and so installs build dependencies into a throwaway environment
first, which is slow; the tarball is complete as soon as "Downloading pyradiomics-3.1.0.tar.gz"
finishes. sha256 24722c962a6bbd09bc39c1c67dbffe92435f9692a421fabaae8a6b4511eb48e4.)
and pass it with --pyradiomics DIR/pyradiomics-3.1.0.tar.gz (or an extracted pyradiomics-3.1.0
folder, or its data/ folder). Without --pyradiomics the script looks in ./, /tmp/trowel-quality/dl/.

Needs: numpy and scipy (pip install numpy scipy). The NRRD reader is built in (no pynrrd).

Writes OUT/<case>/{meta.json, scan.raw, labels.u8, truth.u8} (see Scripts/reference-quality.py):
  lung2-lesion  chest CT int16 HU, crop 61x192x192 around the lesion; target = lesion mask as
                shipped; other = every other voxel of the crop. Labelled: 2 slices through the
                lesion (z 17, 23); scored: the other lesion slices >= 2 slices from them
                (15, 19, 20, 21, 25) plus 4 lesion-free slices (11, 13, 27, 29) to count false
                positives.
  lung1-bone    chest CT int16 HU, cropped to the body; target = "bone" DEFINED BY THRESHOLD, not
                by an expert: HU >= 250 inside the body, plus enclosed holes <= 400 px per slice
                (marrow), minus 3D components < 20 voxels (this also catches calcified vessel
                walls; it is mineral density, not anatomy). Labelled: z 8, 24, 40; scored:
                every second slice >= 2 slices from a labelled one.
  brain1-lesion brain MR int16 (not CT; sequence undocumented), whole 25x256x256 volume; target =
                lesion mask as shipped. Labelled: z 13, 17; scored: 11, 15 (lesion) and 9, 19
                (lesion-free).
Deterministic: no randomness; the same tarball gives byte-identical output.
"""
import argparse, gzip, hashlib, io, json, os, sys, tarfile
import numpy as np
from scipy import ndimage

SDIST_SHA256 = "24722c962a6bbd09bc39c1c67dbffe92435f9692a421fabaae8a6b4511eb48e4"
LICENCE = ("BSD-3-Clause (pyradiomics LICENSE.txt, Copyright 2017 Harvard Medical School); the "
           "package does not state a separate licence or provenance for its test images")


class Source:
    """Reads data/<name> from the sdist tarball, an extracted sdist folder, or its data folder."""

    def __init__(self, path):
        self.path, self.tar = path, None
        if os.path.isfile(path):
            self.tar = tarfile.open(path, "r:gz")
            self.names = {m.name.split("/data/", 1)[1]: m for m in self.tar.getmembers()
                          if "/data/" in m.name and m.isfile()}
            self.sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
        else:
            self.dir = path if os.path.exists(os.path.join(path, "lung2_image.nrrd")) \
                else os.path.join(path, "data")
            self.sha = None

    def read(self, name):
        if self.tar:
            return self.tar.extractfile(self.names[name]).read()
        return open(os.path.join(self.dir, name), "rb").read()

    def describe(self, name):
        where = "pyradiomics-3.1.0.tar.gz (PyPI sdist" + \
                (f", sha256 {self.sha}" if self.sha else "") + ")" if self.tar else self.path
        return f"{where}: pyradiomics-3.1.0/data/{name}"


def read_nrrd(raw):
    """Minimal NRRD reader: attached header, raw or gzip encoding, little endian."""
    end = raw.index(b"\n\n")
    head = raw[:end].decode("ascii").splitlines()
    assert head[0].startswith("NRRD"), "not a NRRD file"
    f = {}
    for line in head[1:]:
        if line.startswith("#") or ": " not in line:
            continue
        k, v = line.split(": ", 1)
        f[k.strip()] = v.strip()
    types = {"short": "<i2", "int16": "<i2", "int": "<i4", "int32": "<i4", "unsigned char": "u1",
             "uchar": "u1", "uint8": "u1", "ushort": "<u2", "unsigned short": "<u2",
             "uint16": "<u2", "float": "<f4"}
    dt = np.dtype(types[f["type"]])
    if f.get("endian", "little") == "big":
        dt = dt.newbyteorder(">")
    body = raw[end + 2:]
    if f.get("encoding") in ("gzip", "gz"):
        body = gzip.decompress(body)
    else:
        assert f.get("encoding") == "raw", f.get("encoding")
    sizes = [int(v) for v in f["sizes"].split()]                 # fastest axis first (x y z)
    arr = np.frombuffer(body, dt).reshape(sizes[::-1])           # -> (z, y, x)
    spacing = None
    if "space directions" in f:
        vecs = [[float(c) for c in v.strip("()").split(",")]
                for v in f["space directions"].replace(") (", ")|(").split("|")]
        spacing = [float(np.linalg.norm(v)) for v in vecs][::-1]  # (z, y, x)
    return arr, spacing, f


def write_case(out, name, scan, truth, labelled, scored, classes, source, description, spacing):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    truth = truth.astype(np.uint8)
    labels = np.zeros_like(truth)
    for z in labelled:
        labels[z] = truth[z]
    for z in scored:
        assert min(abs(z - l) for l in labelled) >= 2, (name, z)
        assert (truth[z] > 0).any()
    dtype = {np.dtype("uint8"): "uint8", np.dtype("uint16"): "uint16",
             np.dtype("int16"): "int16", np.dtype("float32"): "float32"}[scan.dtype]
    scan.astype(scan.dtype.newbyteorder("<"), copy=False).tofile(os.path.join(d, "scan.raw"))
    labels.tofile(os.path.join(d, "labels.u8"))
    truth.tofile(os.path.join(d, "truth.u8"))
    meta = {"name": name, "z": int(scan.shape[0]), "y": int(scan.shape[1]), "x": int(scan.shape[2]),
            "dtype": dtype, "classes": classes, "target_class": 1,
            "labelled_slices": [int(z) for z in labelled], "scored_slices": [int(z) for z in scored],
            "source": source, "licence": LICENCE, "description": description,
            "voxel_size": [round(v, 6) for v in spacing] if spacing else None}
    with open(os.path.join(d, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
        fh.write("\n")
    tgt = int((truth == 1).sum())
    print(f"{name}: {scan.shape} {dtype}, target voxels {tgt}, labelled {labelled}, "
          f"scored {scored}", file=sys.stderr)


def lesion_case(src, out, case, name, crop_yx, labelled, scored, extra):
    img, sp, _ = read_nrrd(src.read(f"{case}_image.nrrd"))
    lab, _, _ = read_nrrd(src.read(f"{case}_label.nrrd"))
    assert img.shape == lab.shape
    if crop_yx:
        ys, xs = np.nonzero(lab.any(0))
        cy, cx = (ys.min() + ys.max() + 1) // 2, (xs.min() + xs.max() + 1) // 2
        h = crop_yx // 2
        y0 = int(np.clip(cy - h, 0, img.shape[1] - crop_yx))
        x0 = int(np.clip(cx - h, 0, img.shape[2] - crop_yx))
        img = img[:, y0:y0 + crop_yx, x0:x0 + crop_yx]
        lab = lab[:, y0:y0 + crop_yx, x0:x0 + crop_yx]
        extra += f" Cropped y {y0}:{y0 + crop_yx}, x {x0}:{x0 + crop_yx} of the original."
    truth = np.where(lab > 0, 1, 2).astype(np.uint8)
    write_case(out, name, np.ascontiguousarray(img.astype(np.int16)), truth, labelled, scored,
               {"1": "lesion", "2": "other"},
               src.describe(f"{case}_image.nrrd") + " + " + f"{case}_label.nrrd", extra, sp)


def bone_case(src, out):
    img, sp, _ = read_nrrd(src.read("lung1_image.nrrd"))
    img = img.astype(np.int16)
    # Body: largest 3D component of soft tissue and denser, holes filled slice by slice.
    comp, n = ndimage.label(img > -400)
    sizes = ndimage.sum_labels(np.ones_like(comp), comp, index=np.arange(1, n + 1))
    body = comp == (int(np.argmax(sizes)) + 1)
    body = np.stack([ndimage.binary_fill_holes(s) for s in body])
    bone = (img >= 250) & body
    filled = []
    for s in bone:                                   # marrow: small holes enclosed by bone
        holes, k = ndimage.label(~s)
        area = np.bincount(holes.ravel(), minlength=k + 1)
        small = (area <= 400)
        small[0] = False
        filled.append(s | small[holes])
    bone = np.stack(filled)
    comp, n = ndimage.label(bone)
    area = np.bincount(comp.ravel(), minlength=n + 1)
    keep = area >= 20
    keep[0] = False
    bone = keep[comp]
    zs, ys, xs = np.nonzero(body)
    m = 8
    y0, y1 = max(ys.min() - m, 0), min(ys.max() + 1 + m, img.shape[1])
    x0, x1 = max(xs.min() - m, 0), min(xs.max() + 1 + m, img.shape[2])
    img, bone = img[:, y0:y1, x0:x1], bone[:, y0:y1, x0:x1]
    truth = np.where(bone, 1, 2).astype(np.uint8)
    labelled = [8, 24, 40]
    scored = [z for z in range(1, img.shape[0], 2) if min(abs(z - l) for l in labelled) >= 2]
    desc = ("Chest CT (int16 HU, 5 mm slices). Truth is NOT an expert label: bone := HU >= 250 "
            "inside the body (largest component of HU > -400, holes filled), plus enclosed holes "
            "<= 400 px per slice (marrow), minus 3D components < 20 voxels; calcified vessel walls "
            f"count as bone. Cropped to the body: y {y0}:{y1}, x {x0}:{x1}. Labelled: three "
            "axial slices spread out; scored: every second slice >= 2 slices from them.")
    write_case(out, "lung1-bone", np.ascontiguousarray(img), truth, labelled, scored,
               {"1": "bone", "2": "other"}, src.describe("lung1_image.nrrd"), desc, sp)


def find_source(given):
    cands = [given] if given else ["pyradiomics-3.1.0.tar.gz", "pyradiomics-3.1.0",
                                   "/tmp/trowel-quality/dl/pyradiomics-3.1.0.tar.gz",
                                   "/tmp/trowel-quality/dl/pyradiomics-3.1.0"]
    for c in cands:
        if c and os.path.exists(c):
            return c
    sys.exit("pyradiomics 3.1.0 sdist not found; see the docstring (--pyradiomics PATH)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--pyradiomics", help="pyradiomics-3.1.0.tar.gz, or an extracted sdist folder")
    a = p.parse_args()
    src = Source(find_source(a.pyradiomics))
    if src.sha and src.sha != SDIST_SHA256:
        print(f"warning: sdist sha256 {src.sha} differs from the one this script was written "
              f"for", file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    lesion_case(src, a.out, "lung2", "lung2-lesion", 192, [17, 23], [11, 13, 15, 19, 20, 21, 25, 27, 29],
                "Chest CT (int16 HU, 0.63 x 0.63 x 5 mm) with a lung lesion mask as shipped with "
                "pyradiomics (provenance of the mask undocumented). Target = lesion, other = rest "
                "of the crop. Labelled: two slices through the lesion; scored: lesion slices >= 2 "
                "slices away plus lesion-free slices 11, 13, 27, 29 (false positives).")
    bone_case(src, a.out)
    lesion_case(src, a.out, "brain1", "brain1-lesion", None, [13, 17], [9, 11, 15, 19],
                "Brain MR (NOT CT; int16 signal, 0.78 x 0.78 x 6.5 mm, sequence undocumented) with "
                "a lesion mask as shipped with pyradiomics (provenance undocumented). Whole "
                "volume. Labelled: slices 13 and 17 through the lesion; scored: 11 and 15 "
                "(lesion) and 9 and 19 (lesion-free).")


if __name__ == "__main__":
    main()
