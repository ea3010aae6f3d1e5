#!/usr/bin/env python3
"""A small dataset of 1-D signals that are not images: noisy spectra of 128 points, each the sum of one to
three Gaussian peaks of random centre (8 … 120), width (σ 1.5 … 6 points) and height (0.3 … 1), plus a
small Gaussian noise (σ 0.02). The label of a spectrum is its number of peaks (1, 2 or 3), which colours
the t-SNE maps of the latents.

Writes an .npz with `train_x` [4000, 128], `train_y` [4000], `test_x` [1000, 128], `test_y` [1000]
(float32 signals, uint8 labels). Values are rounded to 6 decimals before conversion, so the file has one
SHA-256 on every machine.

    python3 scripts/make-spectra.py data/spectra/spectra.npz
"""

import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import write_npz  # noqa: E402

POINTS = 128


def spectra(rng, n):
    values, labels = [], []
    for _ in range(n):
        peaks = rng.randint(1, 3)
        shape = [(rng.uniform(8, 120), rng.uniform(1.5, 6), rng.uniform(0.3, 1)) for _ in range(peaks)]
        for i in range(POINTS):
            v = sum(h * math.exp(-0.5 * ((i - c) / w) ** 2) for c, w, h in shape)
            values.append(round(v + 0.02 * rng.gauss(0.0, 1.0), 6))
        labels.append(peaks)
    return values, labels


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-spectra.py OUT.npz")
    out = sys.argv[1]
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    train_x, train_y = spectra(random.Random(2020), 4000)
    test_x, test_y = spectra(random.Random(2021), 1000)
    write_npz(out, {
        "train_x": (train_x, (4000, POINTS), "float32"), "train_y": (train_y, (4000,), "uint8"),
        "test_x": (test_x, (1000, POINTS), "float32"), "test_y": (test_y, (1000,), "uint8"),
    })
    print(f"wrote {out}: train_x [4000, {POINTS}], train_y [4000], test_x [1000, {POINTS}], test_y [1000]")


if __name__ == "__main__":
    main()
