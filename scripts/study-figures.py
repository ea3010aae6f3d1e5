#!/usr/bin/env python3
"""Figures of the studies beyond the paper (results/REPORT.md), drawn from their committed tables.

    python3 scripts/study-figures.py [--results DIR] NAME...    # e.g. data-efficiency step-control

Reads results/NAME/table.csv (written by `gfe table experiments/NAME.json`: a column per method, with `_sd`
and `_n` columns when there are several seeds) or, for curve studies, results/NAME/curves.csv (written by
`gfe runs experiments/NAME.json --curves --csv`: one row per run, iteration and metric, with the run's swept
columns and state) and writes results/NAME/figures/<figure>.png, .svg and .pdf (scripts/figure_style.py).
Each line is the seed mean, its band ± one sample sd; a run that failed (diverged) ends in a cross. Only
committed tables are read, so a figure always shows the numbers the report quotes. Needs matplotlib (make python-deps).
"""

import csv
import math
import os
import sys

from figure_style import legend_beside, plt, save


def series(name, label, colour, style="-"):
    return {"column": name, "label": label, "colour": colour, "style": style}


# Colours: one per method, the same in every figure of a study.
AE, AE_AMD, GFE, GON, ADAM, ADAM_Q, SA, SA_AMD = (
    "#1f77b4", "#17becf", "#d62728", "#2ca02c", "#9467bd", "#c5b0d5", "#ff7f0e", "#8c564b")

LOSS = "test loss (BCE per pixel, 10,000 test images)"

FIGURES = {
    "data-efficiency": [
        {"file": "test-loss-vs-images-seen", "kind": "curves", "x": "images seen (B = 16)",
         "series": [series("ae", "AE: D(E(x))", AE), series("ae_then_amd", "AE, then AMD from E(x)", AE_AMD, "--"),
                    series("semi_amortised_ae", "semi-amortised AE: D(E(x))", SA),
                    series("semi_amortised_ae_then_amd", "semi-amortised AE, then AMD", SA_AMD, "--"),
                    series("gon", "GON (one step from 0)", GON), series("adam_100", "Adam on z, 100 steps", ADAM_Q),
                    series("adam_400", "Adam on z, 400 steps", ADAM), series("gfe_amd", "GFE-amd", GFE)]},
        {"file": "test-loss-vs-decoder-passes", "kind": "cost",
         "series": [series("ae", "AE: D(E(x))", AE), series("ae_then_amd", "AE, then AMD from E(x)", AE_AMD),
                    series("semi_amortised_ae", "semi-amortised AE", SA),
                    series("semi_amortised_ae_then_amd", "semi-amortised AE, then AMD", SA_AMD),
                    series("gon", "GON", GON), series("adam_100", "Adam on z, 100 steps", ADAM_Q),
                    series("adam_400", "Adam on z, 400 steps", ADAM), series("gfe_amd", "GFE-amd", GFE)]},
    ],
    "latent-tables": [
        {"file": "test-loss-vs-images-seen", "kind": "curves", "x": "images seen (480-image pool, B = 16)",
         "epochs": 480,
         "series": [series("gfe_amd", "GFE-amd, every solve from z₀", GFE),
                    series("warm_start", "GFE-amd warm-started at last z*", AE),
                    series("joint_lr_0.001", "joint latents, Adam lr 0.001", SA),
                    series("joint_lr_0.1", "joint latents, Adam lr 0.1", GON)]},
    ],
    "step-control": [
        {"file": "test-loss-vs-images-seen", "kind": "curves", "x": "images seen",
         "series": [series("b16_batch", "B = 16, batch-coupled (authors')", GFE),
                    series("b16_sample", "B = 16, per sample", GFE, "--"),
                    series("b64_batch", "B = 64, batch-coupled", AE),
                    series("b64_sample", "B = 64, per sample", AE, "--")]},
    ],
    "amortisation-gap": [
        {"file": "test-loss-vs-images-seen", "kind": "curves", "x": "images seen (AE, B = 16)",
         "panels": [("MNIST", "mnist_"), ("FashionMNIST", "fashion_")],
         "series": [series("ae", "D(E(x))", AE), series("amd_from_codes", "AMD from E(x)", AE_AMD, "--"),
                    series("amd_from_preset_z0", "AMD from z₀ ~ U[0,1)", GFE, ":")]},
    ],
}


MODES = {"approximate": "#1f77b4", "implicit": "#2ca02c", "adjoint": "#d62728", "unrolled": "#9467bd"}
# (metric, axis label, scale, y limits or None): the validation loss starts near 0.69 and ends near 0.08, so its
# axis is zoomed on where the methods differ (the first iterations leave through the top).
VALIDATION = ("validation_loss", "validation loss (8 validation images)", "log", (0.065, 0.3))
STATIONARITY = ("solve_gradient_norm", "mean ‖∇z ℓ(z*)‖ of the training batch", "log", None)


def where(label, colour, style="-", **match):
    return {"where": match, "label": label, "colour": colour, "style": style}


RUN_FIGURES = {
    "decoder-gradients": [
        {"file": "validation-loss-and-stationarity", "x": ("iteration", "iteration (B = 20)"),
         "panels": [VALIDATION, STATIONARITY],
         "series": [where("approximate (z* held constant)", MODES["approximate"], gradient="approximate"),
                    where("implicit (conjugate gradients at z*)", MODES["implicit"], gradient="implicit"),
                    where("adjoint (backwards on the grid)", MODES["adjoint"], gradient="adjoint"),
                    where("unrolled (through the RK steps)", MODES["unrolled"], gradient="unrolled")]},
        {"file": "validation-loss-vs-seconds", "x": ("wall_s", "training seconds (one core)"),
         "panels": [VALIDATION],
         "series": [where("approximate", MODES["approximate"], gradient="approximate"),
                    where("implicit", MODES["implicit"], gradient="implicit"),
                    where("adjoint", MODES["adjoint"], gradient="adjoint"),
                    where("unrolled", MODES["unrolled"], gradient="unrolled")]},
    ],
    "adjoint-divergence": [
        {"file": "validation-loss", "x": ("iteration", "iteration (B = 20)"),
         "panels": [VALIDATION],
         "series": [where("approximate, N = 100", MODES["approximate"], gradient="approximate"),
                    where("adjoint, N = 100 (the paper's grid)", MODES["adjoint"], gradient="adjoint",
                          **{"encoder.points": "100", "optimiser.lr": "0.0005"}),
                    where("adjoint, N = 100, half the learning rate", "#ff7f0e", "--", gradient="adjoint",
                          **{"optimiser.lr": "0.00025"}),
                    where("adjoint, N = 200", "#8c564b", gradient="adjoint", **{"encoder.points": "200"})]},
    ],
}


def draw_run_curves(ax, rows, figure, panel, path):
    """One line per series: the mean over its runs (seeds) at each iteration where any run has a value, ± sd
    where two or more do; a cross where a failed run's curve ends."""
    metric, ylabel, scale, limits = panel
    xcol = figure["x"][0]
    for s in figure["series"]:
        runs = {}
        for r in rows:
            if r["metric"] != metric:
                continue
            if any(r.get(k) != v for k, v in s["where"].items()):
                continue
            runs.setdefault(r["run_id"], []).append(r)
        if not runs:
            sys.exit(f"study-figures: {path} has no '{metric}' rows for {s['where']}")
        by_iteration = {}
        for points in runs.values():
            for r in points:
                by_iteration.setdefault(int(r["iteration"]), []).append((float(r[xcol]), float(r["value"])))
        iterations = sorted(by_iteration)
        n = len(runs)
        x, y, lo, hi, complete = [], [], [], [], []
        for i in iterations:
            points = by_iteration[i]
            v = [p[1] for p in points]
            m = sum(v) / len(v)
            sd = math.sqrt(sum((a - m) ** 2 for a in v) / (len(v) - 1)) if len(v) > 1 else 0
            x.append(sum(p[0] for p in points) / len(points))
            y.append(m)
            # ± sd, but never below the smallest seed (a log axis has no room for negative values).
            lo.append(max(m - sd, min(v)))
            hi.append(m + sd)
            complete.append(len(v) == n)
        failed = [points for points in runs.values() if points[0]["state"] == "failed"]
        label = s["label"] + (f" (n = {n}" + (f", {len(failed)} diverged" if failed else "") + ")")
        # The mean of every seed while all run (with its band), then of the survivors, dotted.
        last = max((k for k, c in enumerate(complete) if c), default=-1)
        ax.plot(x[:last + 1], y[:last + 1], s["style"], color=s["colour"], linewidth=1.3, label=label)
        if last + 1 < len(x):
            ax.plot(x[last:], y[last:], ":", color=s["colour"], linewidth=1.1)
        if n > 1:
            ax.fill_between(x[:last + 1], lo[:last + 1], hi[:last + 1], color=s["colour"], alpha=0.15, linewidth=0)
        for points in failed:
            end = max(points, key=lambda r: int(r["iteration"]))
            ax.plot(float(end[xcol]), float(end["value"]), "x", color=s["colour"], markersize=8, mew=2)
    ax.set_yscale(scale)
    if limits:
        ax.set_ylim(*limits)
        ax.set_yticks([t for t in (0.07, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3) if limits[0] <= t <= limits[1]])
        ax.set_yticklabels([f"{t:g}" for t in ax.get_yticks()])
        ax.minorticks_off()
    ax.set_xlabel(figure["x"][1])
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)


def draw_replays(name, results):
    """Study 4's replays (scripts/adjoint-replays.py): (a) the stiffness h·α·λmax along the grid for decoders of
    the approximate run as training goes on, and at a diverging adjoint run's failing step, against the
    Runge–Kutta limit; (b) the adjoint's largest norm through the backward sweep at that failing step on grids
    of 100, 200 and 400 points, in Float32 and Float64."""
    path = os.path.join(results, name, "replay-intervals.csv")
    if not os.path.exists(path):
        return []
    rows = read_table(path)
    fig, (a, b) = plt.subplots(1, 2, figsize=(13.5, 6.4))
    by = {}
    for r in rows:
        by.setdefault((r["experiment"], r["index"], r["step"], r["changes"]), []).append(r)

    def column(points, key):
        return [float(p[key]) if p[key] not in ("", "nan") else math.nan for p in points]

    approximate = sorted((k for k in by if k[3] == "gradient.mode=adjoint"), key=lambda k: int(k[2]))
    cmap = plt.get_cmap("viridis")
    for i, k in enumerate(approximate):
        pts = by[k]
        a.plot(column(pts, "t"), column(pts, "stiffness"), color=cmap(i / max(len(approximate) - 1, 1)),
               linewidth=1.1, label=f"approximate run, decoder after {int(k[2]) - 1:,} it.")
    failing = [k for k in by if k[0] == "decoder-gradients" and k[3] == ""]
    failing.sort(key=lambda k: int(k[1]))
    if failing:
        k = failing[0]
        a.plot(column(by[k], "t"), column(by[k], "stiffness"), color="#d62728", linewidth=2,
               label=f"adjoint run [{k[1]}], its failing step {int(k[2]):,}")
    a.axhline(2.785293563405282, color="black", linestyle=":", linewidth=1.2, label="RK stability limit 2.785")
    a.set_yscale("log")
    a.set_xlabel("t on the log grid (N = 100)")
    a.set_ylabel("h·α(t)·λmax(∇²ℓ(z(t))), largest over the batch")
    a.grid(True, which="both", alpha=0.3)
    # Legends under the panels: inside them they would cover the curves.
    a.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    a.set_title("(a) stiffness the adjoint meets", fontsize=10)
    if failing:
        experiment, index, step, _ = failing[0]
        for change, colour, label in [("", "#d62728", "N = 100"), ("encoder.points=200", "#8c564b", "N = 200"),
                                      ("encoder.points=400", "#9467bd", "N = 400")]:
            pts = by.get((experiment, index, step, change))
            if not pts:
                continue
            t = column(pts, "t")
            b.plot(t, column(pts, "adjoint_norm_float32"), "-", color=colour, linewidth=1.6, label=f"{label}, Float32")
            b.plot(t, column(pts, "adjoint_norm_float64"), "--", color=colour, linewidth=1.2, label=f"{label}, Float64")
        b.axhline(3.4028235e38, color="black", linestyle=":", linewidth=1, label="Float32 overflow (3.4e38)")
        b.set_yscale("log")
        b.set_xlabel("t (the sweep runs from the right to 0)")
        b.set_ylabel("largest ‖a(t)‖ over the batch")
        b.grid(True, which="both", alpha=0.3)
        b.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
        b.set_title(f"(b) the adjoint at run [{index}]'s failing step {int(step):,}", fontsize=10)
    fig.tight_layout()
    return save(fig, os.path.join(results, name, "figures", "replays"))


def draw_runs(name, results):
    path = os.path.join(results, name, "curves.csv")
    if not os.path.exists(path):
        sys.exit(f"study-figures: {path} is missing: write it with "
                 f"`gfe runs experiments/{name}.json --curves --csv > {path}` first")
    rows = read_table(path)
    for column in ("run_id", "state", "iteration", "metric", "value"):
        if column not in rows[0]:
            sys.exit(f"study-figures: {path} has no column '{column}' (columns: {', '.join(rows[0])})")
    written = []
    os.makedirs(os.path.join(results, name, "figures"), exist_ok=True)
    for figure in RUN_FIGURES[name]:
        panels = figure["panels"]
        fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels) + 0.4, 4.2), squeeze=False)
        for ax, panel in zip(axes[0], panels):
            draw_run_curves(ax, rows, figure, panel, path)
        written += finish(fig, axes, os.path.join(results, name, "figures", figure["file"]), fontsize=8,
                          title="× where a run diverged; dotted: the mean of the runs left")
    if name == "adjoint-divergence":
        written += draw_replays(name, results)
    print("\n".join(written))


def finish(fig, axes, stem, fontsize, title):
    """The panels' legend beside them (inside the canvas), then `save`. Returns the files written."""
    legend_beside(fig, list(axes[0]), title=title, fontsize=fontsize)
    return save(fig, stem)


def read_table(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]
    if not rows:
        sys.exit(f"study-figures: {path} has no rows")
    return rows


def values(rows, column):
    """The column's values as floats (NaN where empty), or None when the table lacks it."""
    if column not in rows[0]:
        return None
    return [float(r[column]) if r[column] not in ("", None) else math.nan for r in rows]


def require(rows, column, path):
    v = values(rows, column)
    if v is None:
        sys.exit(f"study-figures: {path} has no column '{column}' (columns: {', '.join(rows[0])})")
    return v


def seeds_note(rows, figure, prefix):
    counts = set()
    for s in figure["series"]:
        n = values(rows, prefix + s["column"] + "_n")
        counts.update(int(c) for c in (n or [1]) if not math.isnan(c) and c > 0)
    return "n = " + "/".join(str(c) for c in sorted(counts)) + " seeds, mean ± sd" if counts else ""


def draw_curves(ax, rows, figure, path, prefix=""):
    x = require(rows, "images_seen", path)
    for s in figure["series"]:
        name = prefix + s["column"]
        y = require(rows, name, path)
        sd = values(rows, name + "_sd")
        ax.plot(x, y, s["style"], color=s["colour"], marker="o", markersize=3.5, linewidth=1.6, label=s["label"])
        if sd is not None:
            lo = [a - (b if not math.isnan(b) else 0) for a, b in zip(y, sd)]
            hi = [a + (b if not math.isnan(b) else 0) for a, b in zip(y, sd)]
            ax.fill_between(x, lo, hi, color=s["colour"], alpha=0.15, linewidth=0)
    ax.set_xscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{int(v):,}" for v in x], rotation=0)
    ax.minorticks_off()
    ax.set_xlabel(figure["x"])
    if "epochs" in figure:
        top = ax.secondary_xaxis("top", functions=(lambda v: v / figure["epochs"], lambda e: e * figure["epochs"]))
        top.set_xticks([v / figure["epochs"] for v in x])
        top.set_xticklabels([f"{v / figure['epochs']:g}" for v in x])
        top.set_xlabel("epochs")
    ax.grid(True, alpha=0.3)


def draw_cost(ax, rows, figure, path):
    """Loss against decoder passes (forward + backward) per test image, one line per method through its
    checkpoints (the last, largest marker), both axes ± sd."""
    images = require(rows, "images_seen", path)
    for s in figure["series"]:
        name = s["column"]
        y = require(rows, name, path)
        forward = require(rows, name + "_forward", path)
        backward = require(rows, name + "_backward", path)
        x = [a + b for a, b in zip(forward, backward)]
        ysd = values(rows, name + "_sd") or [0] * len(y)
        xsd = values(rows, name + "_backward_sd") or [0] * len(y)
        ax.plot(x, y, "-", color=s["colour"], linewidth=1, alpha=0.6)
        sizes = [3 + 5 * i / max(len(images) - 1, 1) for i in range(len(images))]
        for xi, yi, xs, ys, ms in zip(x, y, xsd, ysd, sizes):
            ax.errorbar(xi, yi, xerr=0 if math.isnan(xs) else xs, yerr=0 if math.isnan(ys) else ys,
                        fmt="o", color=s["colour"], markersize=ms, elinewidth=0.8, capsize=0)
        ax.plot([], [], "o-", color=s["colour"], label=s["label"])
    ax.set_xscale("log")
    ax.set_xlabel("decoder passes per test image (forward + backward)")
    figure["legend_title"] = f"marker size: images seen\n{int(images[0]):,} (small) … {int(images[-1]):,} (large)"
    ax.grid(True, which="both", alpha=0.3)


def draw(name, results):
    path = os.path.join(results, name, "table.csv")
    if not os.path.exists(path):
        sys.exit(f"study-figures: {path} is missing: run `gfe table experiments/{name}.json` first")
    rows = read_table(path)
    written = []
    os.makedirs(os.path.join(results, name, "figures"), exist_ok=True)
    for figure in FIGURES[name]:
        panels = figure.get("panels", [(None, "")])
        fig, axes = plt.subplots(1, len(panels), figsize=(6.4 * len(panels), 4.4), squeeze=False)
        for ax, (title, prefix) in zip(axes[0], panels):
            if figure["kind"] == "curves":
                draw_curves(ax, rows, figure, path, prefix)
            else:
                draw_cost(ax, rows, figure, path)
            ax.set_ylabel(LOSS)
            note = seeds_note(rows, figure, prefix)
            # Above the epochs axis when there is one.
            ax.set_title(" — ".join(t for t in (title, note) if t), fontsize=10, pad=34 if "epochs" in figure else 6)
        written += finish(fig, axes, os.path.join(results, name, "figures", figure["file"]), fontsize=8.5,
                          title=figure.get("legend_title"))
    print("\n".join(written))


def main():
    args = sys.argv[1:]
    results = "results"
    if args[:1] == ["--results"] and len(args) > 1:
        results, args = args[1], args[2:]
    unknown = [n for n in args if n not in FIGURES and n not in RUN_FIGURES]
    if not args or unknown:
        sys.exit(("study-figures: no figures for " + ", ".join(f"'{n}'" for n in unknown) + "\n" if unknown else "")
                 + "usage: scripts/study-figures.py [--results DIR] NAME... (NAME one of: "
                 + ", ".join(list(FIGURES) + list(RUN_FIGURES)) + ")")
    for n in args:
        if n in RUN_FIGURES:
            draw_runs(n, results)
        else:
            draw(n, results)


if __name__ == "__main__":
    main()
