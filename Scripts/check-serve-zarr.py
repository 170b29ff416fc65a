#!/usr/bin/env python3
"""Reads every array `trowel serve` serves with zarr-python over HTTP (fsspec's HTTP file system)
and compares it with the same array read from the project folder on disk; then checks the
server's answers a zarr client and a browser rely on: byte ranges, 404 for an absent chunk, CORS,
and that nothing else (the database, `..`, encoded `..`) is served.

usage: check-serve-zarr.py BASE_URL PROJECT_FOLDER
Prints one JSON line; exit 0 only when every check passes."""
import json, os, sys

import numpy as np
import requests
import zarr
from zarr.storage import FsspecStore


def main():
    base, project = sys.argv[1].rstrip("/"), sys.argv[2]
    problems, arrays = [], {}
    folders = ["volume.zarr", "labels.zarr"] + sorted(
        "segmentations/" + f for f in os.listdir(os.path.join(project, "segmentations")) if f.endswith(".zarr"))
    for folder in folders:
        local = os.path.join(project, folder)
        # A multiscale group (levels 0, 1, …) or one array (labels.zarr).
        paths = [""] if os.path.exists(os.path.join(local, ".zarray")) else sorted(
            d for d in os.listdir(local) if os.path.exists(os.path.join(local, d, ".zarray")))
        store = FsspecStore.from_url(f"{base}/{folder}", read_only=True)
        for path in paths:
            remote = zarr.open_array(store, path=path, mode="r", zarr_format=2)
            disk = zarr.open_array(os.path.join(local, path), mode="r", zarr_format=2)
            same = remote.shape == disk.shape and remote.dtype == disk.dtype and np.array_equal(remote[...], disk[...])
            arrays[f"{folder}/{path}".rstrip("/")] = list(remote.shape)
            if not same:
                problems.append(f"{folder}/{path} differs over HTTP")

    chunk = os.path.join(project, "volume.zarr", "0", "0", "0", "0")
    data = open(chunk, "rb").read()
    url = f"{base}/volume.zarr/0/0/0/0"
    r = requests.get(url, headers={"Range": "bytes=10-29"}, timeout=10)
    if r.status_code != 206 or r.content != data[10:30] or r.headers.get("Content-Range") != f"bytes 10-29/{len(data)}":
        problems.append(f"range 10-29: {r.status_code} {r.headers.get('Content-Range')}")
    r = requests.get(url, headers={"Range": "bytes=-7"}, timeout=10)
    if r.status_code != 206 or r.content != data[-7:]:
        problems.append(f"suffix range: {r.status_code}")
    r = requests.get(url, headers={"Range": f"bytes={len(data)}-"}, timeout=10)
    if r.status_code != 416 or r.headers.get("Content-Range") != f"bytes */{len(data)}":
        problems.append(f"unsatisfiable range: {r.status_code}")
    h = requests.head(url, timeout=10)
    if h.status_code != 200 or int(h.headers["Content-Length"]) != len(data) or h.content:
        problems.append(f"HEAD: {h.status_code} {h.headers.get('Content-Length')}")
    if h.headers.get("Access-Control-Allow-Origin") != "*" or "Content-Range" not in h.headers.get("Access-Control-Expose-Headers", ""):
        problems.append("CORS headers missing")
    o = requests.options(url, headers={"Origin": "http://example.org", "Access-Control-Request-Method": "GET",
                                       "Access-Control-Request-Headers": "range"}, timeout=10)
    if o.status_code not in (200, 204) or "GET" not in o.headers.get("Access-Control-Allow-Methods", ""):
        problems.append(f"OPTIONS preflight: {o.status_code}")
    statuses = {}
    for path in ["/volume.zarr/0/99/99/99", "/project.sqlite", "/models/", "/volume.zarr/../project.sqlite",
                 "/volume.zarr/%2e%2e/project.sqlite", "/labels.zarr/%2E%2E%2Fproject.sqlite", "/volume.zarr/0", "/volume.zarr/0/escape"]:
        # Sent as written: requests would normalise the dots away.
        s = requests.Session()
        req = requests.Request("GET", base + "/placeholder").prepare()
        req.url = base + path
        statuses[path] = s.send(req, timeout=10).status_code
    for path, status in statuses.items():
        wanted = (403,) if ".." in path or "%2e" in path.lower() or path.endswith("escape") else (404,)
        if status not in wanted:
            problems.append(f"{path}: {status}, wanted {wanted[0]}")
    print(json.dumps({"arrays": arrays, "statuses": statuses, "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
