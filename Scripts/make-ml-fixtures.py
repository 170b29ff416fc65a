#!/usr/bin/env python3
"""Writes the TrowelML test fixtures: small images and their scikit-image features.

Run with the benchmark venv (numpy, scipy, scikit-image), from the project root:
    /tmp/trowel-bench/venv/bin/python Scripts/make-ml-fixtures.py
Outputs (raw little-endian, C order) in Tests/TrowelMLTests/Fixtures/:
    ml2d_image.u8       16x20 (rows x columns) uint8 image
    ml2d_features.f32   16x20x16 multiscale_basic_features(sigma_min=1, sigma_max=8)
    ml2d_extra.f32      16x20x4  at sigma 2: LoG (Hessian trace), DoG G(2)-G(1.32), structure tensor eigenvalues
    ml2d_small.f32      16x20x16 multiscale_basic_features(sigma_min=0.5, sigma_max=4): scales below 1
    ml2d_extra07.f32    16x20x4  the ilastik families of ml2d_extra.f32 at sigma 0.7
    ml3d_volume.u8      10x8x8 uint8 volume
    ml3d_features.f32   10x8x8x10 multiscale_basic_features(sigma_min=1, sigma_max=2) in 3D
"""
import os, sys
import numpy as np
from scipy import ndimage as ndi
import skimage
from skimage import filters
from skimage.feature import multiscale_basic_features

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TrowelMLTests", "Fixtures")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(3)

def phantom(shape):
    """Smooth noise plus a bright ball: structure at several scales and sharp edges."""
    noise = ndi.gaussian_filter(rng.random(shape), 1.5)
    grid = np.indices(shape).astype(float)
    centre = np.array(shape, float)[:, None] * 0.45
    r = np.sqrt(((grid.reshape(len(shape), -1) - centre) ** 2).sum(0)).reshape(shape)
    img = 60 + 400 * (noise - noise.mean()) + 120 * (r < min(shape) * 0.3)
    return np.clip(img, 0, 255).astype(np.uint8)

img2 = phantom((16, 20))
img2.tofile(f"{out}/ml2d_image.u8")
f2 = multiscale_basic_features(img2, sigma_min=1, sigma_max=8).astype("<f4")
assert f2.shape == (16, 20, 16), f2.shape
f2.tofile(f"{out}/ml2d_features.f32")

f2s = multiscale_basic_features(img2, sigma_min=0.5, sigma_max=4).astype("<f4")
assert f2s.shape == (16, 20, 16), f2s.shape
f2s.tofile(f"{out}/ml2d_small.f32")

x = skimage.img_as_float32(img2)
def ilastik_extra(sigma):
    g = filters.gaussian(x, sigma=sigma, preserve_range=False)
    hyy, hxy, hxx = [np.gradient(np.gradient(g)[a], axis=b) for a, b in ((0, 0), (0, 1), (1, 1))]
    log = hyy + hxx
    dog = g - filters.gaussian(x, sigma=0.66 * sigma, preserve_range=False)
    gy, gx = np.gradient(g)
    s = lambda a: filters.gaussian(a, sigma=0.5 * sigma, preserve_range=False)
    syy, syx, sxx = s(gy * gy), s(gy * gx), s(gx * gx)
    hs = np.sqrt(syx ** 2 + ((syy - sxx) / 2) ** 2)
    return np.stack([log, dog, (syy + sxx) / 2 + hs, (syy + sxx) / 2 - hs], axis=-1).astype("<f4")
ilastik_extra(2).tofile(f"{out}/ml2d_extra.f32")
ilastik_extra(0.7).tofile(f"{out}/ml2d_extra07.f32")

img3 = phantom((10, 8, 8))
img3.tofile(f"{out}/ml3d_volume.u8")
f3 = multiscale_basic_features(img3, sigma_min=1, sigma_max=2).astype("<f4")
assert f3.shape == (10, 8, 8, 10), f3.shape
f3.tofile(f"{out}/ml3d_features.f32")
print(f"wrote fixtures to {out} (scikit-image {skimage.__version__})", file=sys.stderr)
