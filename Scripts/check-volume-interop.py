#!/usr/bin/env python3
"""Opens a Trowel volume.zarr with zarr-python and checks it independently of Trowel.

Usage: check-volume-interop.py VOLUME_ZARR RAW_LEVEL0 DTYPE Z,Y,X VOXEL_UM
  RAW_LEVEL0  the expected full-resolution voxels, raw little-endian C order
Checks: level 0 equals the raw voxels; every level i+1 equals the 2x mean of level i computed here
with numpy (mean over the voxels that exist at odd edges, integers rounded half up); the OME-NGFF 0.4
multiscales metadata (axes z,y,x in micrometres, one dataset per level, scale = voxel size * 2^level).
Prints one line and exits 0 when everything matches, 1 otherwise.
"""
import json, sys
import numpy as np
import zarr

path, raw, dtype, shape, voxel = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
shape = tuple(int(s) for s in shape.split(","))
expected = np.fromfile(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)


def halve(a):
    out_shape = tuple((n + 1) // 2 for n in a.shape)
    padded = np.zeros(tuple(2 * n for n in out_shape), dtype=np.float64)
    count = np.zeros_like(padded)
    padded[: a.shape[0], : a.shape[1], : a.shape[2]] = a
    count[: a.shape[0], : a.shape[1], : a.shape[2]] = 1
    s = padded.reshape(out_shape[0], 2, out_shape[1], 2, out_shape[2], 2).sum(axis=(1, 3, 5))
    n = count.reshape(out_shape[0], 2, out_shape[1], 2, out_shape[2], 2).sum(axis=(1, 3, 5))
    mean = s / n
    if np.issubdtype(a.dtype, np.integer):
        return np.floor(mean + 0.5).astype(a.dtype)
    return mean.astype(a.dtype)


def fail(msg):
    print(f"FAIL {path}: {msg}")
    sys.exit(1)


group = zarr.open_group(path, mode="r")
attrs = dict(group.attrs)
ms = attrs.get("multiscales")
if not ms or ms[0].get("version") != "0.4":
    fail(f"no OME-NGFF 0.4 multiscales in attributes: {json.dumps(attrs)[:200]}")
ms = ms[0]
axes = [(a["name"], a.get("type"), a.get("unit")) for a in ms["axes"]]
if axes != [("z", "space", "micrometer"), ("y", "space", "micrometer"), ("x", "space", "micrometer")]:
    fail(f"axes are {axes}")
level = expected
for i, ds in enumerate(ms["datasets"]):
    if ds["path"] != str(i):
        fail(f"dataset {i} has path {ds['path']}")
    scale = [t for t in ds["coordinateTransformations"] if t["type"] == "scale"][0]["scale"]
    if not np.allclose(scale, [voxel * 2**i] * 3):
        fail(f"level {i} scale {scale}, expected {voxel * 2**i}")
    arr = group[ds["path"]]
    if arr.dtype != np.dtype(dtype):
        fail(f"level {i} dtype {arr.dtype}, expected {dtype}")
    got = arr[...]
    if got.shape != level.shape:
        fail(f"level {i} shape {got.shape}, expected {level.shape}")
    if not np.array_equal(got, level):
        bad = np.argwhere(got != level)[0]
        fail(f"level {i} differs at {tuple(bad)}: {got[tuple(bad)]} vs {level[tuple(bad)]}")
    level = halve(level)
print(f"OK {path}: {len(ms['datasets'])} levels match")
