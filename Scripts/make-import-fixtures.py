#!/usr/bin/env python3
"""Writes the small, deterministic PNG/TIFF/raw fixtures the scan-reader tests read.

Run once (the output is committed; tests never need Python):
    python3 -m venv /tmp/readers-venv
    /tmp/readers-venv/bin/pip install numpy tifffile pillow imagecodecs
    /tmp/readers-venv/bin/python Scripts/make-import-fixtures.py

Every volume is 3 slices of 17 rows x 23 columns whose values follow `volume(kind)` below;
Tests/TrowelVolumeTests/ImportFixtures.swift computes the same formula in Swift.
Slice files are named s1, s2, s10 so that only a natural sort puts them in z order.
"""
import shutil
import struct
from pathlib import Path

import imagecodecs
import numpy as np
import tifffile
from PIL import Image, PngImagePlugin

OUT = Path(__file__).resolve().parent.parent / "Tests/TrowelVolumeTests/Fixtures/import"
Z, Y, X = 3, 17, 23
NAMES = ["s1", "s2", "s10"]


def base():
    z, y, x = np.indices((Z, Y, X), dtype=np.int64)
    return z * 391 + y * 23 + x


def volume(kind):
    b = base()
    if kind == "u8":
        return ((b * 37) % 256).astype(np.uint8)
    if kind == "i8":
        return (((b * 37) % 256) - 128).astype(np.int8)
    if kind == "u16":
        return ((b * 977 + 13) % 65536).astype(np.uint16)
    if kind == "i16":
        return (((b * 977 + 13) % 65536) - 32768).astype(np.int16)
    if kind == "u32":
        return ((b * 2654435761) % 2**32).astype(np.uint32)
    if kind == "i32":
        return (((b * 2654435761) % 2**32) - 2**31).astype(np.int32)
    if kind == "f32":
        return (b * 0.5 - 300.25).astype(np.float32)
    if kind == "f64":
        return (b * 0.25 - 100.125).astype(np.float64)
    raise ValueError(kind)


def rgb(kind):
    """Three channels: red is volume(kind); green and blue follow their own formulas."""
    b = base()
    if kind == "u8":
        return np.stack([volume("u8"), (b * 59 + 7) % 256, (b * 101 + 3) % 256], axis=-1).astype(np.uint8)
    return np.stack([volume("u16"), (b * 1237 + 5) % 65536, (b * 3001 + 17) % 65536], axis=-1).astype(np.uint16)


def stack_dir(name):
    d = OUT / name
    d.mkdir(parents=True)
    return d


def write_tiff_stack(name, vol, **kw):
    d = stack_dir(name)
    for z, n in enumerate(NAMES):
        tifffile.imwrite(d / f"{n}.tif", vol[z], **kw)


def write_pages(path, vol, **kw):
    """One page per slice (tifffile alone might store a 3-slice volume as one 3-sample page)."""
    bigtiff = kw.pop("bigtiff", False)
    kw.setdefault("photometric", "minisblack")
    with tifffile.TiffWriter(path, bigtiff=bigtiff) as tw:
        for page in vol:
            tw.write(page, contiguous=False, **kw)


def png_info(gamma=None):
    if gamma is None:
        return None
    info = PngImagePlugin.PngInfo()
    info.add(b"gAMA", struct.pack(">I", gamma))
    return info


def write_png_stack(name, slices, gamma=None):
    d = stack_dir(name)
    for z, n in enumerate(NAMES):
        if slices.dtype == np.uint16 and slices.ndim == 4:  # Pillow cannot write 16-bit RGB
            (d / f"{n}.png").write_bytes(imagecodecs.png_encode(slices[z]))
        else:
            Image.fromarray(slices[z]).save(d / f"{n}.png", pnginfo=png_info(gamma))
    return d


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    # TIFF: single-page stacks.
    write_tiff_stack("tiff-u8", volume("u8"))
    write_tiff_stack("tiff-u16", volume("u16"))
    write_tiff_stack("tiff-f32", volume("f32"))

    # TIFF: multi-page files, one per sample type and layout.
    tifffile.imwrite(OUT / "imagej-u16.tif", volume("u16"), imagej=True,
                     resolution=(1 / 0.7, 1 / 0.7), metadata={"spacing": 0.7, "unit": "um", "axes": "ZYX"})
    for kind in ["u8", "i8", "i16", "u32", "i32", "f64"]:
        write_pages(OUT / f"multi-{kind}.tif", volume(kind))
    write_pages(OUT / "tiled-u16.tif", volume("u16"), tile=(16, 16))
    write_pages(OUT / "tiled-deflate-f32.tif", volume("f32"), tile=(16, 16), compression="zlib", predictor=True)
    write_pages(OUT / "lzw-u16.tif", volume("u16"), compression="lzw", predictor=True, rowsperstrip=5)
    write_pages(OUT / "deflate-f32.tif", volume("f32"), compression="zlib", predictor=True, rowsperstrip=4)
    write_pages(OUT / "deflate-u16.tif", volume("u16"), compression="zlib")
    write_pages(OUT / "packbits-u8.tif", volume("u8"), compression="packbits", rowsperstrip=3)
    write_pages(OUT / "bigtiff-i16.tif", volume("i16"), bigtiff=True)
    write_pages(OUT / "rgb-u8.tif", rgb("u8"), photometric="rgb")
    write_pages(OUT / "rgb-planar-u16.tif", np.moveaxis(rgb("u16"), -1, 1), photometric="rgb", planarconfig="separate")

    # ImageJ's layout past 4 GB: one directory, images=3, the other slices after the first's pixels.
    for name, order in [("imagej-contiguous-u16.tif", "<"), ("imagej-contiguous-be-u16.tif", ">")]:
        v = volume("u16")
        description = "ImageJ=1.11a\nimages=3\nslices=3\nloop=false\n"
        tifffile.imwrite(OUT / name, v[0], byteorder=order, description=description, metadata=None, contiguous=True)
        with tifffile.TiffFile(OUT / name) as tf:
            page = tf.pages[0]
            assert len(tf.pages) == 1 and page.dataoffsets[0] + page.databytecounts[0] == (OUT / name).stat().st_size
        with open(OUT / name, "ab") as f:
            f.write(v[1:].astype(order + "u2").tobytes())

    # TIFF: bad input.
    with tifffile.TiffWriter(OUT / "mixed-size.tif") as tw:
        v = volume("u16")
        tw.write(v[0])
        tw.write(v[1][:, :22])
        tw.write(v[2])
    truncated = OUT / "truncated.tif"
    write_pages(truncated, volume("u16"))
    with tifffile.TiffFile(truncated) as tf:
        last = tf.pages[-1]
        assert last.offset < last.dataoffsets[0], "the last IFD must survive the cut"
        cut = last.dataoffsets[0] + last.databytecounts[0] // 2
    with open(truncated, "r+b") as f:
        f.truncate(cut)

    # PNG stacks.
    write_png_stack("png-u8", volume("u8"))
    write_png_stack("png-u16", volume("u16"))
    write_png_stack("png-u8-gamma", volume("u8"), gamma=100000)   # gAMA 1.0 must not change values
    write_png_stack("png-u16-gamma", volume("u16"), gamma=45455)  # gAMA 1/2.2 must not change values
    write_png_stack("png-rgb-u8", rgb("u8"))
    write_png_stack("png-rgb-u16", rgb("u16"))
    palette = Image.fromarray((volume("u8")[0] % 16).astype(np.uint8), mode="L").convert("P")
    palette.putpalette([c for i in range(16) for c in (i * 16, 255 - i * 16, i * 7)])
    palette.save(OUT / "palette.png")
    d = stack_dir("png-mixed-size")
    v = volume("u8")
    Image.fromarray(v[0]).save(d / "s1.png")
    Image.fromarray(v[1][:16, :]).save(d / "s2.png")
    Image.fromarray(v[2]).save(d / "s10.png")

    # Mixed formats, non-images.
    d = stack_dir("mixed-formats")
    Image.fromarray(v[0]).save(d / "a1.png")
    tifffile.imwrite(d / "a2.tif", v[1])
    (OUT / "notes.txt").write_text("not an image\n")
    (OUT / "fake.png").write_text("a text file with an image's name\n")

    # Raw: big-endian u16 after a 64-byte header, and little-endian f32 without one.
    (OUT / "u16-big-h64.raw").write_bytes(b"H" * 64 + volume("u16").astype(">u2").tobytes())
    (OUT / "f32-little.raw").write_bytes(volume("f32").astype("<f4").tobytes())

    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files, {total} bytes, in {OUT}")


if __name__ == "__main__":
    main()
