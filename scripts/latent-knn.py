#!/usr/bin/env python3
"""How well the stored latents of finished runs separate the classes: for every stored encoding in run.h5
(checkpoints/*/gfe, …/ae, …/latents/train), the leave-one-out 10-nearest-neighbour label accuracy of the
first 1,000 latents (Euclidean distance in latent space, majority vote, ties to the smaller label; chance is
about 0.1), beside the encoding's mean loss. A number for what the t-SNE maps of figures 6-7 show.
Usage: scripts/latent-knn.py results/<experiment>/<run id>/run.h5 ...   (needs numpy and h5py)"""
import sys
import h5py
import numpy as np


def knn_accuracy(z, labels, k=10):
    squared = (z * z).sum(1)
    d = squared[:, None] + squared[None, :] - 2 * z @ z.T
    np.fill_diagonal(d, np.inf)
    neighbours = np.argsort(d, axis=1, kind="stable")[:, :k]
    classes = int(labels.max()) + 1
    votes = np.array([np.bincount(labels[row], minlength=classes).argmax() for row in neighbours])
    return float((votes == labels).mean())


def main(paths):
    if not paths:
        sys.exit(__doc__)
    for path in paths:
        with h5py.File(path, "r") as f:
            print(f"{path} ({f.attrs['experiment']}, {f.attrs['status']})")
            for name in sorted(f.get("checkpoints", {})):
                c = f["checkpoints"][name]
                for group in ("gfe", "ae", "ae_decoder_amd", "latents/train"):
                    # Latents of data without labels (a user's file may have none) have no accuracy.
                    if group in c and "z_star" in c[group] and "labels" in c[group]:
                        g = c[group]
                        z = g["z_star"][:1000].astype(np.float64)
                        labels = g["labels"][:1000].astype(np.int64)
                        print(f"  {c.attrs['images_seen']:>7} images  {group:<14} mean loss {g.attrs['mean_loss']:.4f}"
                              f"  10-NN accuracy of {len(labels)} latents {knn_accuracy(z, labels):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
