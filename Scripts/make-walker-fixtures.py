#!/usr/bin/env python3
"""Writes the random-walker test fixtures: tiny images, seeds and scikit-image's probabilities.

Run with the benchmark venv (numpy, scipy, scikit-image), from the project root:
    /tmp/trowel-bench/venv/bin/python Scripts/make-walker-fixtures.py
Outputs (raw little-endian, C order) in Tests/TrowelMLTests/Fixtures/:
    walker2d_image.f32   12x14 float32 image in 0..1 (rows x columns)
    walker2d_seeds.u8    12x14 uint8 seeds (0 unlabelled, 1..2)
    walker2d_prob.f32    2x12x14 float32 random_walker(..., beta=130, mode='bf', return_full_prob=True)
    walker3d_image.f32   6x8x9 float32 volume in 0..1 (z, y, x)
    walker3d_seeds.u8    6x8x9 uint8 seeds (0 unlabelled, 1..3)
    walker3d_prob.f32    3x6x8x9 float32 probabilities (beta=90, mode='bf')
mode='bf' solves the system exactly, so the fixture is the exact solution the CG solver converges to.
"""
import os
import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import random_walker

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TrowelMLTests", "Fixtures")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)


def save(name, array, dtype):
    np.ascontiguousarray(array, dtype=dtype).tofile(os.path.join(out, name))


# 2D: a bright disc on a dark background with noise, two seeds each.
shape2 = (12, 14)
yy, xx = np.indices(shape2)
disc = (yy - 6) ** 2 + (xx - 7) ** 2 < 16
image2 = np.clip(0.25 + 0.5 * disc + 0.08 * rng.standard_normal(shape2), 0, 1).astype(np.float32)
seeds2 = np.zeros(shape2, np.uint8)
seeds2[6, 6:8] = 1
seeds2[0, 0] = 2
seeds2[11, 13] = 2
seeds2[1, 12] = 2
prob2 = random_walker(image2.astype(np.float64), seeds2, beta=130, mode='bf', return_full_prob=True)
save("walker2d_image.f32", image2, "<f4")
save("walker2d_seeds.u8", seeds2, np.uint8)
save("walker2d_prob.f32", prob2, "<f4")

# 3D: three smooth regions, seeds on slices 0 and 5 and a stroke in the middle.
shape3 = (6, 8, 9)
z, y, x = np.indices(shape3)
regions = np.where(x < 3, 0, np.where(y < 4, 1, 2))
levels = np.array([0.2, 0.55, 0.9])
image3 = levels[regions] + 0.05 * ndi.gaussian_filter(rng.standard_normal(shape3), 0.7)
image3 = np.clip(image3, 0, 1).astype(np.float32)
seeds3 = np.zeros(shape3, np.uint8)
for s in (0, 5):
    seeds3[s] = regions[s] + 1
    seeds3[s][(x[s] == 3) | (y[s] == 4)] = 0  # leave the boundaries unlabelled
seeds3[2, 6, 1] = 1
prob3 = random_walker(image3.astype(np.float64), seeds3, beta=90, mode='bf', return_full_prob=True)
save("walker3d_image.f32", image3, "<f4")
save("walker3d_seeds.u8", seeds3, np.uint8)
save("walker3d_prob.f32", prob3, "<f4")
print("wrote", out)
