#!/usr/bin/env python3
"""Writes the small, deterministic JPEG 2000 fixtures the JPEG 2000 reader tests read.

Run once (the output is committed; tests never need Python). glymur drives the system
libopenjp2 (apt libopenjp2-7-dev), the library Trowel itself decodes with:
    python3 -m venv /tmp/jp2-venv
    /tmp/jp2-venv/bin/pip install numpy glymur packaging lxml
    /tmp/jp2-venv/bin/python Scripts/make-jp2-fixtures.py

Values follow the import fixtures' formulas (Scripts/make-import-fixtures.py and
Tests/TrowelVolumeTests/ImportFixtures.swift): 3 slices of 17 rows x 23 columns, u8 = (b*37) % 256,
u16 = (b*977+13) % 65536 with b = z*391 + y*23 + x, so both full ranges are covered. Every file is
lossless (reversible 5/3 wavelet), so a reader must return these integers exactly.
Slice files are named s1, s2, s10 so that only a natural sort puts them in z order.

glymur writes only unsigned samples, so the signed fixture is a u16 codestream with the sign
bit of its SIZ marker set: an unsigned codestream stores samples minus 2^15 (the DC level shift)
and a signed one stores them as they are, so the same stored data decodes as u16 - 32768.
"""
import shutil
from pathlib import Path

import glymur
import numpy as np

OUT = Path(__file__).resolve().parent.parent / "Tests/TrowelVolumeTests/Fixtures/import"
Z, Y, X = 3, 17, 23
NAMES = ["s1", "s2", "s10"]


def volume(kind):
    z, y, x = np.indices((Z, Y, X), dtype=np.int64)
    b = z * 391 + y * 23 + x
    if kind == "u8":
        return ((b * 37) % 256).astype(np.uint8)
    if kind == "u16":
        return ((b * 977 + 13) % 65536).astype(np.uint16)
    raise ValueError(kind)


def write(path, data, **kw):
    """One lossless file; JP2 or raw codestream by the suffix (glymur's rule)."""
    path.unlink(missing_ok=True)
    glymur.Jp2k(str(path), data=data, numres=kw.pop("numres", 3), **kw)
    back = glymur.Jp2k(str(path))[:]
    assert back.dtype == data.dtype and np.array_equal(back, data), f"{path} does not round-trip"


def write_stack(name, vol, suffix, **kw):
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for k, stem in enumerate(NAMES):
        write(folder / f"{stem}{suffix}", vol[k], **dict(kw))


def signed(codestream):
    """The raw codestream with its one component marked signed (Ssiz bit 7)."""
    data = bytearray(codestream)
    assert data[:4] == b"\xff\x4f\xff\x51" and data[40:42] == b"\x00\x01", "expected SOC, SIZ, one component"
    data[42] |= 0x80
    return bytes(data)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write_stack("jp2-u8", volume("u8"), ".jp2")
    write_stack("jp2-u16", volume("u16"), ".jp2")
    # Raw codestreams in 8x8 tiles, as some beamline software writes them.
    write_stack("j2k-u16", volume("u16"), ".j2k", tilesize=(8, 8), numres=2)

    # Slice 0 of the u16 volume, read back as i16 = u16 - 32768.
    signed_file = OUT / "jp2-signed-i16.j2k"
    write(signed_file, volume("u16")[0])
    signed_file.write_bytes(signed(signed_file.read_bytes()))

    # The second slice is one row shorter.
    folder = OUT / "jp2-mixed-size"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    write(folder / "s1.jp2", volume("u8")[0])
    write(folder / "s2.jp2", volume("u8")[1, :16])

    # Colour: three 8-bit components.
    rgb = np.stack([volume("u8")[0], volume("u8")[1], volume("u8")[2]], axis=-1)
    write(OUT / "jp2-rgb.jp2", rgb)

    # A 16-bit slice cut off halfway through its tile data.
    whole = (OUT / "jp2-u16" / "s1.jp2").read_bytes()
    (OUT / "jp2-truncated.jp2").write_bytes(whole[: len(whole) * 2 // 3])


if __name__ == "__main__":
    main()
