#!/usr/bin/env python3
"""Writes the Zarr interop fixtures Trowel's tests read back exactly.

Usage:  ~/.cache/trowel/venv/bin/python Scripts/make-zarr-fixtures.py [OUT_DIR]
        (OUT_DIR defaults to Tests/TrowelVolumeTests/Fixtures/zarr; needs zarr>=3, numcodecs, numpy;
        Scripts/install-deps creates that venv.)

Every array is 12x11x9 with 5x5x4 chunks, so there are edge chunks on every axis. The chunk at
grid (1, 1, 1) holds only the fill value, so zarr-python does not write it: readers must return
fill for it. Beside each NAME.zarr the script writes NAME.bin, the whole array as raw
little-endian values of the same dtype, which the Swift tests compare with exactly.
"""
import json
import os
import shutil
import sys

import numcodecs
import numpy as np
import zarr
from zarr.codecs import BloscCodec, BytesCodec, GzipCodec, ZstdCodec

SHAPE = (12, 11, 9)
CHUNKS = (5, 5, 4)
MISSING = (slice(5, 10), slice(5, 10), slice(4, 8))  # chunk (1, 1, 1)


def values(dtype, fill):
    """Deterministic, compressible values; chunk (1, 1, 1) is all fill."""
    z, y, x = np.indices(SHAPE)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        v = np.sin(z * 0.7) * 100 + y * 3.25 - x * 0.5
        v[0, 0, :3] = [np.inf, -np.inf, 0.0]
        v[2, 3, 4] = np.nan if not (isinstance(fill, float) and np.isnan(fill)) else 1.5
    elif dt.kind == "i":
        v = (z * 1000 + y * 37 - x * 11) - 9000
    else:
        top = np.iinfo(dt).max
        v = (z * 1009 + y * 31 + x * 7 + 3) % (top + 1)
    v = v.astype(dt)
    v[MISSING] = fill
    return v


def write(name, dtype, fill, zarr_format, **kwargs):
    out = os.path.join(OUT, name + ".zarr")
    shutil.rmtree(out, ignore_errors=True)
    data = values(dtype, fill)
    arr = zarr.create_array(store=out, shape=SHAPE, chunks=CHUNKS, dtype=dtype, fill_value=fill,
                            zarr_format=zarr_format, **kwargs)
    arr[...] = data
    back = zarr.open_array(out, mode="r")[...]
    assert np.array_equal(back, data, equal_nan=data.dtype.kind == "f"), name
    data.astype(data.dtype.newbyteorder("<")).tofile(os.path.join(OUT, name + ".bin"))
    keys = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    print(f"{name}: {len(keys)} files, dtype {arr.dtype}, metadata {keys[0]}")


def v2(name, dtype, compressor, fill=0, separator="."):
    write(name, dtype, fill, 2, compressors=compressor,
          chunk_key_encoding={"name": "v2", "separator": separator})


def v3(name, dtype, fill=0, serializer="auto", compressors="auto", key=None):
    kw = {"serializer": serializer, "compressors": compressors}
    if key is not None:
        kw["chunk_key_encoding"] = key
    write(name, dtype, fill, 3, **kw)


OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "Tests", "TrowelVolumeTests", "Fixtures", "zarr")
os.makedirs(OUT, exist_ok=True)

# Zarr v2 (zarr-python 2's default compressor was Blosc lz4 with byte shuffle).
v2("v2_blosc_lz4_u16", "<u2", numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE))
v2("v2_blosc_zstd_bitshuffle_u16", "<u2",
   numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE), separator="/")
v2("v2_blosc_lz4hc_noshuffle_u8", "|u1", numcodecs.Blosc(cname="lz4hc", clevel=5, shuffle=numcodecs.Blosc.NOSHUFFLE))
v2("v2_blosc_zlib_i32", "<i4", numcodecs.Blosc(cname="zlib", clevel=4, shuffle=numcodecs.Blosc.SHUFFLE))
v2("v2_zlib_u16", "<u2", numcodecs.Zlib(level=6))
v2("v2_gzip_u8_slash", "|u1", numcodecs.GZip(level=5), separator="/")
v2("v2_zstd_u16_slash", "<u2", numcodecs.Zstd(level=3), separator="/")
v2("v2_zstd_u16_dot", "<u2", numcodecs.Zstd(level=3), separator=".")
v2("v2_none_be_u16", ">u2", None, fill=7)
v2("v2_zstd_be_f32", ">f4", numcodecs.Zstd(level=1), fill=float("nan"))
v2("v2_zlib_f32_nan", "<f4", numcodecs.Zlib(level=1), fill=float("nan"))
v2("v2_zstd_i16", "<i2", numcodecs.Zstd(level=3), fill=-5)
v2("v2_zstd_u32", "<u4", numcodecs.Zstd(level=3))
v2("v2_gzip_f64", "<f8", numcodecs.GZip(level=6), fill=-1.5)

# Zarr v3 (zarr-python 3's default: bytes + zstd).
v3("v3_default_u16", "uint16")
v3("v3_default_f32_nan", "float32", fill=float("nan"))
v3("v3_gzip_i16", "int16", compressors=[GzipCodec(level=5)], fill=-3)
v3("v3_bigendian_zstd_u16", "uint16", serializer=BytesCodec(endian="big"), compressors=[ZstdCodec(level=2)])
v3("v3_v2key_u8", "uint8", key={"name": "v2", "separator": "."})
v3("v3_dotkey_u16", "uint16", key={"name": "default", "separator": "."})
v3("v3_blosc_f64", "float64", compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")])
v3("v3_blosc_bitshuffle_u32", "uint32", compressors=[BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")])
v3("v3_none_i32", "int32", compressors=None)

with open(os.path.join(OUT, "README.md"), "w") as f:
    f.write("Written by Scripts/make-zarr-fixtures.py with zarr %s, numcodecs %s, numpy %s.\n"
            "Each NAME.bin is NAME.zarr's whole array as raw little-endian values.\n"
            "Shape %s, chunks %s; chunk (1, 1, 1) is missing (all fill).\n"
            % (zarr.__version__, numcodecs.__version__, np.__version__, SHAPE, CHUNKS))
