#!/usr/bin/env python3
"""The authors' `lowdim` data: noisy points on a circle, x = (sin u, cos u) + 0.05·noise with u ~ N(0, π/4)
(standard deviation) and noise ~ N(0, 1) per coordinate.

Writes an .npz with `train` (100 points, drawn once and reused every iteration, as the authors do) and
`test` (1,000 further points of the same distribution), both float32 [N, 2]. Values are rounded to 6
decimals before conversion, so a last-bit difference of sin or cos between C libraries cannot change the
file: it has one SHA-256 on every machine.

    python3 scripts/make-circle.py data/lowdim/circle.npz
"""

import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npz import write_npz  # noqa: E402


def points(rng, n):
    out = []
    for _ in range(n):
        u = rng.gauss(0.0, math.pi / 4)
        out.append(round(math.sin(u) + 0.05 * rng.gauss(0.0, 1.0), 6))
        out.append(round(math.cos(u) + 0.05 * rng.gauss(0.0, 1.0), 6))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-circle.py OUT.npz")
    out = sys.argv[1]
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    train = points(random.Random(2020), 100)
    test = points(random.Random(2021), 1000)
    write_npz(out, {"train": (train, (100, 2), "float32"), "test": (test, (1000, 2), "float32")})
    print(f"wrote {out}: train [100, 2], test [1000, 2]")


if __name__ == "__main__":
    main()
