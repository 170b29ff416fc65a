#!/usr/bin/env python3
"""Checks a mesh Trowel wrote with an independent tool (trimesh).

Usage: check-mesh.py MESH.stl|MESH.obj
Prints one JSON object: watertight, winding_consistent, volume (file units cubed), area, faces, vertices,
bounds. STL vertices are merged by position on loading (trimesh's default), as any reader of STL must.
"""
import json
import sys

import trimesh


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check-mesh.py MESH.stl|MESH.obj")
    mesh = trimesh.load(sys.argv[1], force="mesh")
    print(json.dumps({
        "watertight": bool(mesh.is_watertight),
        "winding_consistent": bool(mesh.is_winding_consistent),
        "volume": float(mesh.volume),
        "area": float(mesh.area),
        "faces": int(len(mesh.faces)),
        "vertices": int(len(mesh.vertices)),
        "bounds": [[float(v) for v in row] for row in mesh.bounds],
    }, sort_keys=True))


if __name__ == "__main__":
    main()
