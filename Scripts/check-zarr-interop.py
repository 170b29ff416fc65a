#!/usr/bin/env python3
"""Checks, with zarr-python, an OME-Zarr group that Trowel's interop test wrote.

Usage:  python Scripts/check-zarr-interop.py GROUP VZ VY VX
The group must hold OME-NGFF 0.4 multiscales metadata (axes z, y, x in micrometer, voxel size
VZ VY VX at level 0, doubled at level 1, type "mean") and uint16 arrays "0" and "1" whose voxels
are (z*100 + y*10 + x + 1000*level) % 65536, plus a float32 array "f" (NaN fill) whose first
z-chunk (4 slices) holds z + y/8 + x/64 and whose other chunks were never written.
Prints "ok" and exits 0, or prints what differs and exits 1.
"""
import sys

import numpy as np
import zarr


def fail(message):
    print(message)
    sys.exit(1)


def main():
    if len(sys.argv) != 5:
        fail(__doc__)
    path = sys.argv[1]
    voxel = [float(v) for v in sys.argv[2:5]]
    group = zarr.open_group(path, mode="r")
    multiscales = group.attrs.get("multiscales")
    if not multiscales:
        fail(f"{path}: no multiscales attribute")
    ms = multiscales[0]
    if ms.get("version") != "0.4":
        fail(f"version is {ms.get('version')!r}, expected '0.4'")
    axes = ms.get("axes", [])
    if [a.get("name") for a in axes] != ["z", "y", "x"]:
        fail(f"axes are {axes}")
    if any(a.get("type") != "space" or a.get("unit") != "micrometer" for a in axes):
        fail(f"axes types/units are {axes}")
    if ms.get("type") != "mean":
        fail(f"type is {ms.get('type')!r}")
    datasets = ms.get("datasets", [])
    if [d.get("path") for d in datasets] != ["0", "1"]:
        fail(f"dataset paths are {[d.get('path') for d in datasets]}")
    for level, d in enumerate(datasets):
        transforms = d.get("coordinateTransformations", [])
        if not transforms or transforms[0].get("type") != "scale":
            fail(f"dataset {level} has no scale transform: {transforms}")
        expected = [v * 2 ** level for v in voxel]
        if not np.allclose(transforms[0]["scale"], expected):
            fail(f"dataset {level} scale is {transforms[0]['scale']}, expected {expected}")
        array = group[d["path"]]
        if array.dtype != np.uint16:
            fail(f"dataset {level} dtype is {array.dtype}")
        z, y, x = np.indices(array.shape)
        want = ((z * 100 + y * 10 + x + 1000 * level) % 65536).astype(np.uint16)
        got = array[...]
        if not np.array_equal(got, want):
            bad = np.argwhere(got != want)[0]
            fail(f"dataset {level} differs at {tuple(bad)}: {got[tuple(bad)]} != {want[tuple(bad)]}")
    f = group["f"]
    if f.dtype != np.float32:
        fail(f"array f dtype is {f.dtype}")
    values = f[...]
    z, y, x = np.indices(values.shape)
    want = (z + y / 8 + x / 64).astype(np.float32)
    want[4:] = np.nan
    if not np.array_equal(values, want, equal_nan=True):
        fail("array f differs from z + y/8 + x/64 with NaN fill")
    print("ok")


main()
