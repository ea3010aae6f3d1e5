#!/usr/bin/env python3
"""The figures of an experiment, drawn with matplotlib from what `gfe plot` hands over.

    python3 scripts/figures.py MANIFEST.json

`gfe plot` resolves the spec, finds the stored runs, computes what needs the engine (t-SNE maps, decoded
reconstructions) and writes MANIFEST.json: the runs (label, configuration group, panel, seed, state, their
curves.csv), t-SNE coordinates, reconstructions, and the table with the paper's values. This script draws the
paper's layouts from it and prints one JSON line per figure ({"file": stem, "shows": sentence}); every figure is
written as STEM.png, STEM.svg and STEM.pdf into the manifest's folder.

Conventions (issue 17): one colour per configuration in every figure of an experiment; several seeds of one
configuration drawn as their mean with a ± sd band; a failed (diverged) run's curve ends in a cross; a dataset
swept by the spec gives one panel per dataset; legends beside the panels, inside the canvas (checked on save).
"""

import csv
import json
import math
import os
import sys
import textwrap

from figure_style import band, legend_beside, mean_sd, plt, save
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#7f7f7f"]
STYLES = ["-", "--", ":", "-."]

# (metric or prefix*, name, y title, x axes, smoothing window): the metrics of docs/results.md.
RULES = [
    ("validation_loss", "validation_loss", "validation loss ({loss})", ["iteration", "images_seen",
                                                                                  "wall_s"], None),
    ("holdout_loss", "holdout_loss", "holdout loss ({loss})", ["iteration", "images_seen", "wall_s"],
     None),
    ("test_loss_*", "test_loss", "test loss ({loss})", ["images_seen", "wall_s"], None),
    ("holdout_loss_*", "holdout_checkpoint_loss", "holdout loss ({loss})", ["images_seen", "wall_s"],
     None),
    ("train_loss", "train_loss", "training batch loss", ["iteration", "images_seen", "wall_s"], 50),
    ("train_seconds", "train_seconds", "training time (s)", ["images_seen"], None),
    ("solve_attempts", "solve_attempts", "encoder evaluations per batch", ["iteration"], 50),
    ("solve_final_t", "solve_final_t", "final integration time of the solve", ["iteration"], 50),
    # Only an adaptive solver stops when converged; for the others the fraction means nothing (not drawn).
    ("solve_converged", "solve_converged", "fraction of converged solve groups", ["iteration"], 50),
    ("solve_gradient_norm", "solve_gradient_norm", "mean ‖∇z ℓ(z*)‖ of the training batch", ["iteration"], 50),
    # Counters summarised by solve_attempts, and solve curves (drawn against t): no figure of their own.
    ("solve_accepted", None, None, [], None), ("solve_rejected", None, None, [], None),
    ("solve_forced", None, None, [], None), ("solve_curve_*", None, None, [], None),
]
ADAPTIVE_ONLY = {"solve_converged"}
X_TITLES = {"iteration": "iteration", "images_seen": "training images seen", "wall_s": "training time (s)"}
SMOOTH_ABOVE = 200


def rule_for(metric):
    for match, name, title, axes, window in RULES:
        if match == metric or (match.endswith("*") and metric.startswith(match[:-1])):
            return match, name, title, axes, window
    return metric, metric, metric.replace("_", " "), ["iteration"], None


def running_mean(values, window):
    """Trailing mean over the last `window` values; a non-finite value restarts the window (and stays a gap)."""
    out, start, total = [], 0, 0.0
    for i, v in enumerate(values):
        if not math.isfinite(v):
            out.append(v)
            start, total = i + 1, 0.0
            continue
        total += v
        if i - start + 1 > window:
            total -= values[i - window]
        out.append(total / min(window, i - start + 1))
    return out


def read_curves(path):
    """metric → list of (iteration, images_seen, wall_s, value), in file order."""
    by = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                point = (int(row["iteration"]), int(row["images_seen"]), float(row["wall_s"]),
                         float(row["value"]))
            except (KeyError, ValueError):
                sys.exit(f"figures: {path} is not a gfe curves.csv (row {row})")
            by.setdefault(row["metric"], []).append(point)
    return by


class Experiment:
    def __init__(self, manifest):
        self.m = manifest
        self.folder = manifest["folder"]
        self.runs = manifest["runs"]
        self.groups = manifest["groups"]
        self.panels = manifest["panels"] or [None]
        for r in self.runs:
            r["data"] = read_curves(r["curves"]) if os.path.exists(r["curves"]) else {}
        self.written = []

    def colour(self, group):
        return COLOURS[self.groups.index(group) % len(COLOURS)]

    def style(self, group):
        return STYLES[(self.groups.index(group) // len(COLOURS)) % len(STYLES)]

    def emit(self, stem, shows):
        save_stem = os.path.join(self.folder, stem)
        self.written.append({"file": stem, "shows": shows})
        return save_stem

    def panel_axes(self, count=None, width=5.2, height=3.8, sharey=True):
        n = count or len(self.panels)
        fig, axes = plt.subplots(1, n, figsize=(width * n, height), squeeze=False, sharey=sharey)
        return fig, list(axes[0])

    def title(self, ax, panel, extra=""):
        text = " — ".join(t for t in (panel, extra) if t)
        if text:
            ax.set_title(text)

    # Curves -------------------------------------------------------------------------------------------------
    def curve_figures(self):
        metrics = []
        for r in self.runs:
            for m in r["data"]:
                if m not in metrics:
                    metrics.append(m)
        groups = []
        for m in metrics:
            rule = rule_for(m)
            for g in groups:
                if g[0] == rule:
                    g[1].append(m)
                    break
            else:
                groups.append((rule, [m]))
        # In the order of RULES (losses first, diagnostics last), metrics no rule names after them.
        order = [r[0] for r in RULES]
        groups.sort(key=lambda g: order.index(g[0][0]) if g[0][0] in order else len(order))
        for (_, name, ytitle, axes, window), group_metrics in groups:
            ytitle = ytitle.format(loss=self.m.get("lossName", "loss")) if ytitle else ytitle
            for axis in axes:
                self.curve_figure(name, ytitle, axis, window, group_metrics)

    def series(self, metric, axis, window):
        """Per (panel, group): the runs' curves of `metric`, each smoothed when long and noisy."""
        out = {}
        for r in self.runs:
            points = r["data"].get(metric)
            if not points or (metric in ADAPTIVE_ONLY and not r["adaptive"]):
                continue
            column = {"iteration": 0, "images_seen": 1, "wall_s": 2}[axis]
            x = [p[column] for p in points]
            y = [p[3] for p in points]
            smoothed = window is not None and len(y) > SMOOTH_ABOVE
            if smoothed:
                y = running_mean(y, window)
            out.setdefault((r["panel"], r["group"]), []).append(
                {"run": r, "iteration": [p[0] for p in points], "x": x, "y": y, "smoothed": smoothed})
        return out

    def curve_figure(self, name, ytitle, axis, window, metrics):
        fig, axes = self.panel_axes()
        drawn, smoothed, seeds, failed_any = False, False, set(), False
        all_x, all_y = [], []
        for ax, panel in zip(axes, self.panels):
            found = {metric: self.series(metric, axis, window) for metric in metrics}
            for metric in metrics:
                for group in self.groups:
                    runs = found[metric].get((panel, group))
                    if not runs:
                        continue
                    # A configuration with several evaluations (an AE's own codes and AMD on its decoder) names
                    # each; one with a single evaluation needs no second name.
                    several = sum(1 for m in metrics if found[m].get((panel, group))) > 1
                    label = group + (f" · {evaluation_name(metric)}" if several else "")
                    colour = self.colour(group)
                    # Dash patterns tell a configuration's evaluations apart; one evaluation keeps its colour's line.
                    style = STYLES[metrics.index(metric) % len(STYLES)] if several else self.style(group)
                    x, y, failed = self.draw_mean(ax, runs, colour, style, label)
                    drawn = True
                    failed_any |= failed
                    smoothed |= any(s["smoothed"] for s in runs)
                    seeds.add(len(runs))
                    all_x += x
                    all_y += [v for v in y if math.isfinite(v)]
            self.title(ax, panel)
        if not drawn:
            plt.close(fig)
            return
        for ax in axes:
            self.scales(ax, axis, all_x, all_y, name)
            ax.set_xlabel(X_TITLES[axis])
            ax.grid(True, which="major", alpha=0.3)
        set_ylabel(axes[0], ytitle + (f" (running mean of {window})" if smoothed else ""))
        notes = []
        if max(seeds) > 1:
            notes.append(f"mean ± sd of {'/'.join(str(s) for s in sorted(seeds))} seeds")
        if failed_any:
            notes.append("× where a run failed")
        legend_beside(fig, axes, title="; ".join(notes) or None)
        stem = f"{name}-vs-{axis}"
        self.written_files(fig, stem,
                           f"{', '.join(metrics)}: {ytitle} against {X_TITLES[axis]}, one colour per configuration"
                           + (", seed mean ± sd" if max(seeds) > 1 else "")
                           + (f"; long curves smoothed by a running mean of {window}" if smoothed else "")
                           + (f"; one panel per {self.m['panelTitle']}" if self.m["panels"] else ""))

    def written_files(self, fig, stem, shows, tight=False):
        save(fig, self.emit(stem, shows), tight=tight)

    def draw_mean(self, ax, runs, colour, style, label):
        """The mean over the runs (seeds) at each iteration, ± sd where two or more have a value; a cross where a
        failed run's curve ends. Returns the x and y drawn and whether a run failed."""
        by = {}
        for s in runs:
            for i, x, y in zip(s["iteration"], s["x"], s["y"]):
                by.setdefault(i, []).append((x, y))
        iterations = sorted(by)
        x = [sum(p[0] for p in by[i]) / len(by[i]) for i in iterations]
        stats = [mean_sd([p[1] for p in by[i]]) for i in iterations]
        y = [s[0] for s in stats]
        n = len(runs)
        ax.plot(x, y, style, color=colour, linewidth=1.3, label=label + (f" (n = {n})" if n > 1 else ""),
                marker="o" if len(x) <= 12 else None, markersize=3.5)
        if n > 1:
            floor = [min((p[1] for p in by[i] if math.isfinite(p[1])), default=math.nan) for i in iterations]
            band(ax, x, y, [s[1] for s in stats], colour, floor=floor)
        failed = False
        for s in runs:
            if s["run"]["state"] == "failed":
                failed = True
                finite = [(a, b) for a, b in zip(s["x"], s["y"]) if math.isfinite(b)]
                if finite:
                    ax.plot(*finite[-1], "x", color=colour, markersize=8, mew=2)
        return x, y, failed

    def scales(self, ax, axis, xs, ys, name):
        """Log x for checkpoint image counts (doublings) and long ranges clustered low; log y for positive data
        spanning more than a factor 30; a loss axis zoomed on where the curves differ (the first points, before
        the decoder learns anything, leave through the top)."""
        xs = [v for v in xs if math.isfinite(v)]
        if axis != "wall_s":
            # Counts: whole numbers with thousands separators (a log axis below sets its own ticks).
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
            big = xs and max(xs) >= 100_000
            ax.xaxis.set_major_formatter(FuncFormatter(
                lambda v, _: f"{v / 1000:,.0f}k" if big and v else f"{int(v):,}"))
        else:
            # Seconds with the same thousands separators as the counts (1,400, not 1400).
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))
        if xs and min(xs) > 0 and max(xs) / min(xs) >= 8 and len(set(xs)) <= 60:
            gm = math.exp(sum(math.log(v) for v in xs) / len(xs))
            if (gm - min(xs)) / (max(xs) - min(xs)) < 0.3:
                ax.set_xscale("log")
                ticks = sorted(set(xs))
                if len(ticks) <= 8 and all(float(t).is_integer() for t in ticks):
                    ax.set_xticks(ticks)
                    ax.set_xticklabels([f"{int(t):,}" for t in ticks])
                    ax.minorticks_off()
        if not ys:
            return
        lo, hi = min(ys), max(ys)
        if lo > 0 and hi / lo > 30:
            ax.set_yscale("log")
        elif "loss" in name and lo > 0 and len(ys) > 50:
            ordered = sorted(ys)
            top = ordered[int(0.97 * (len(ordered) - 1))]
            if top < hi and (top - lo) < 0.6 * (hi - lo):
                ax.set_ylim(lo - 0.05 * (top - lo), top + 0.08 * (top - lo))

    # Solve curves (paper figure 1) ---------------------------------------------------------------------------
    def solve_curve_figure(self):
        runs = [r for r in self.runs if "solve_curve_t" in r["data"]]
        if not runs:
            return
        fig, axes = self.panel_axes(len(runs), width=4.8, height=3.8)
        positive = []
        iterations_all = set()
        for ax, r in zip(axes, runs):
            t = r["data"]["solve_curve_t"]
            loss = r["data"]["solve_curve_mean_loss"]
            iterations = sorted({p[0] for p in t})
            iterations_all.update(iterations)
            for k, it in enumerate(iterations):
                ts = [p[3] for p in t if p[0] == it]
                ls = [p[3] for p in loss if p[0] == it]
                # Later iterations darker: the final model is the strongest line.
                shade = 0.35 + 0.65 * (k / max(len(iterations) - 1, 1))
                ax.plot(ts, ls, color=plt.get_cmap("Blues")(shade), linewidth=1.6,
                        label=f"after {it:,} iterations" if it else "untrained decoder (iteration 0)")
                positive += [v for v in ts if v > 0 and math.isfinite(v)]
            self.title(ax, r["label"])
            ax.set_xlabel("integration time t")
            ax.grid(True, which="major", alpha=0.3)
        set_ylabel(axes[0], f"mean loss of the batch ({self.m.get('lossName', 'loss')})")
        log = positive and max(positive) / min(positive) > 30 and all(
            len([p for p in r["data"]["solve_curve_t"] if p[3] > 0]) >= 3 for r in runs)
        for ax in axes:
            if log:
                ax.set_xscale("log")
                ax.set_xlim(min(positive), max(positive))
        legend_beside(fig, axes[:1])
        images = self.m.get("solveCurveImages")
        self.written_files(fig, "solve-curves",
                           f"mean loss of the same {images or 'fixed'} training images against integration time t "
                           "during single solves, with the decoder after iterations "
                           + ", ".join(f"{i:,}" for i in sorted(iterations_all))
                           + " (darker = later; paper figure 1); one panel per configuration"
                           + ("; logarithmic t, so t = 0 is not drawn" if log else ""))

    # Reconstructions (paper figure 5) ------------------------------------------------------------------------
    def reconstruction_figures(self):
        grids = self.m.get("reconstructions") or []
        images = [g for g in grids if g["kind"] == "images"]
        if images:
            self.image_grid_figure(images)
        for g in grids:
            if g["kind"] != "images":
                self.sample_figures(g)

    def image_grid_figure(self, grids):
        panels = []
        for g in grids:
            if g["panel"] not in panels:
                panels.append(g["panel"])
        checkpoints = []
        for g in grids:
            if g["checkpoint"] not in checkpoints:
                checkpoints.append(g["checkpoint"])
        by = {(g["panel"], g["checkpoint"]): g for g in grids}
        columns = max(len(g["originals"]) for g in grids)
        rows = max(1 + len(g["rows"]) for g in grids)
        cell = 0.42
        fig, axes = plt.subplots(len(panels), len(checkpoints),
                                 figsize=(len(checkpoints) * (columns * cell + 2.4), len(panels) * (rows * cell + 0.7)),
                                 squeeze=False)
        letters = "abcdefghijklmnopqrstuvwxyz"
        for i, panel in enumerate(panels):
            for j, checkpoint in enumerate(checkpoints):
                ax = axes[i][j]
                g = by.get((panel, checkpoint))
                if g is None:
                    ax.axis("off")
                    continue
                mosaic, labels = self.mosaic(g, columns)
                ax.imshow(mosaic, cmap="gray_r" if g.get("inverted") else "gray", vmin=0, vmax=1,
                          interpolation="nearest")
                h = g["shape"][0] + 2
                ax.set_yticks([k * h + h / 2 - 1 for k in range(len(labels))])
                ax.set_yticklabels(labels)
                ax.set_xticks([])
                ax.tick_params(length=0)
                for side in ax.spines.values():
                    side.set_visible(False)
                letter = f"({letters[j]}) " if len(checkpoints) > 1 else ""
                ax.set_title(letter + ", ".join(t for t in (panel, checkpoint) if t))
        fig.tight_layout()
        shown = "; ".join(f"{g['panel'] or ''} {g['checkpoint']}: " + ", ".join(
            [g["originalsLabel"]] + [r["label"] for r in g["rows"]]) for g in grids)
        self.written_files(fig, "reconstructions",
                           f"{grids[0]['split']} images (top row of each panel) and their reconstructions "
                           f"σ(D(z*)), one row per configuration and encoding, first seed (paper figure 5) — {shown}",
                           tight=True)

    @staticmethod
    def mosaic(g, columns):
        h, w = g["shape"][0], g["shape"][1]
        rows = [g["originals"]] + [r["samples"] for r in g["rows"]]
        labels = [g["originalsLabel"]] + [r["label"] for r in g["rows"]]
        out = [[1.0] * (columns * (w + 2)) for _ in range(len(rows) * (h + 2))]
        for i, samples in enumerate(rows):
            for j, sample in enumerate(samples[:columns]):
                for y in range(h):
                    for x in range(w):
                        out[i * (h + 2) + y + 1][j * (w + 2) + x + 1] = 1.0 - sample[y * w + x]
        return out, labels

    def sample_figures(self, g):
        for k, row in enumerate(g["rows"]):
            fig, ax = plt.subplots(figsize=(5.6, 4.2))
            if g["kind"] == "points":
                if row["curve"]:
                    ax.plot([p[0] for p in row["curve"]], [p[1] for p in row["curve"]], "-", color="#7f7f7f",
                            linewidth=1, label="D(z) over the range of z*")
                ax.scatter([p[0] for p in g["originals"]], [p[1] for p in g["originals"]], s=6, color=COLOURS[0],
                           label="data", rasterized=True)
                ax.scatter([p[0] for p in row["samples"]], [p[1] for p in row["samples"]], s=6, color=COLOURS[1],
                           label="D(z*) (reconstructions)", rasterized=True)
                ax.set_aspect("equal", adjustable="datalim")
                ax.set_xlabel("x₁")
                ax.set_ylabel("x₂")
                what = "data points and their reconstructions" + (", and the decoded curve D(z)" if row["curve"]
                                                                   else "")
            else:
                for j, sample in enumerate(g["originals"][:4]):
                    ax.plot(sample, "-", color=COLOURS[j], linewidth=1.2, label=f"sample {j + 1}")
                    if j < len(row["samples"]):
                        ax.plot(row["samples"][j], "--", color=COLOURS[j], linewidth=1.2,
                                label=f"D(z*) of sample {j + 1}")
                ax.set_xlabel("index")
                ax.set_ylabel("value")
                what = "the first samples (solid) and their reconstructions (dashed)"
            ax.grid(True, alpha=0.3)
            ax.set_title(f"{g['checkpoint']} — {row['label']}")
            legend_beside(fig, [ax])
            stem = f"reconstructions-{g['key']}" + (f"-{k + 1}" if len(g["rows"]) > 1 else "")
            self.written_files(fig, stem, f"{g['split']} {g['checkpoint']}, {row['label']}: {what}")

    # t-SNE (paper figures 6–7) -------------------------------------------------------------------------------
    def tsne_figures(self):
        maps = self.m.get("tsne") or []
        checkpoints = []
        for t in maps:
            if t["checkpoint"] not in checkpoints:
                checkpoints.append(t["checkpoint"])
        for checkpoint in checkpoints:
            mine = [t for t in maps if t["checkpoint"] == checkpoint]
            fig, axes = self.panel_axes(len(mine), width=4.4, height=4.4, sharey=False)
            names = {}
            for ax, t in zip(axes, mine):
                classes = sorted(set(t["classes"]))
                cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
                for c in classes:
                    xs = [x for x, k in zip(t["x"], t["classes"]) if k == c]
                    ys = [y for y, k in zip(t["y"], t["classes"]) if k == c]
                    name = t["classNames"].get(str(c), str(c))
                    ax.scatter(xs, ys, s=4, color=cmap(classes.index(c) % cmap.N), label=name, linewidths=0,
                               rasterized=True)
                    names[name] = True
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_title(t["label"])
            # Legend markers of their own: resizing the panels' collections would resize their points.
            handles, labels = [], []
            for ax in axes:
                for h, name in zip(*ax.get_legend_handles_labels()):
                    if name not in labels:
                        labels.append(name)
                        handles.append(Line2D([], [], linestyle="", marker="o", markersize=6,
                                              color=h.get_facecolor()[0]))
            legend_beside(fig, axes, handles, labels, title="class")
            key = mine[0]["key"]
            self.written_files(fig, f"tsne-{key}",
                               f"t-SNE maps of z* of the first {len(mine[0]['x']):,} {mine[0]['set']} images, "
                               f"{checkpoint}, one panel per run ({', '.join(t['label'] for t in mine)}); coloured "
                               f"by class; perplexity {mine[0]['perplexity']:g}, {mine[0]['iterations']:,} "
                               "iterations (paper figures 6 and 7); final KL "
                               + ", ".join(f"{t['kl']:.3f}" for t in mine))

    # Table beside the paper ---------------------------------------------------------------------------------
    def table_figures(self):
        for spec in self.m.get("tables") or []:
            self.table_figure(spec)

    def table_figure(self, spec):
        ours = read_table(spec["path"])
        if not ours or spec["key"] not in ours[0]:
            return
        ref = spec.get("reference")
        paper = read_table(ref["path"]) if ref and os.path.exists(ref["path"]) else []
        key = spec["key"]
        columns = spec["columns"]
        numeric = all(is_number(r[key]) for r in ours)
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        for k, column in enumerate(columns):
            colour = COLOURS[k % len(COLOURS)]
            label = spec["labels"].get(column, column)
            keys = [r[key] for r in ours]
            x = [float(v) for v in keys] if numeric else list(range(len(keys)))
            y = [number(r.get(column)) for r in ours]
            sd = [number(r.get(column + "_sd")) for r in ours]
            n = [number(r.get(column + "_n")) for r in ours]
            offset = 0 if numeric else (k - (len(columns) - 1) / 2) * 0.12
            xs = [a + offset for a in x]
            seeds = f" (mean ± sd, n = {int(max(n))})" if any(math.isfinite(v) and v > 1 for v in n) else ""
            ax.plot(xs, y, "-o" if numeric else "o", color=colour, markersize=4, linewidth=1.5,
                    label=f"{label}, ours{seeds}")
            if any(math.isfinite(s) for s in sd):
                sds = [s if math.isfinite(s) else 0 for s in sd]
                if numeric:
                    band(ax, xs, y, sds, colour)
                else:
                    ax.errorbar(xs, y, yerr=sds, fmt="none", color=colour, capsize=3)
            if paper and column in paper[0]:
                lookup = {r[key]: number(r[column]) for r in paper}
                py = [lookup.get(v, math.nan) for v in keys]
                ax.plot(xs, py, "--s" if numeric else "s", color=colour, markersize=5, markerfacecolor="white",
                        linewidth=1.1, label=f"{label}, paper")
        if numeric:
            values = [float(r[key]) for r in ours]
            if min(values) > 0 and max(values) / min(values) >= 8:
                ax.set_xscale("log")
            ax.set_xticks(values)
            ax.set_xticklabels([f"{int(v):,}" if v.is_integer() else f"{v:g}" for v in values])
            ax.minorticks_off()
        else:
            ax.set_xticks(range(len(ours)))
            ax.set_xticklabels([r[key] for r in ours])
            ax.set_xlim(-0.6, len(ours) - 0.4)
        ax.set_xlabel(spec["keyTitle"])
        set_ylabel(ax, spec["valueTitle"])
        ax.grid(True, alpha=0.3)
        tolerance = ref.get("tolerance") if paper else None
        legend_beside(fig, [ax], title=f"paper: hollow squares, dashed\ntolerance {tolerance}" if tolerance
                      else None)
        name = os.path.splitext(os.path.basename(spec["path"]))[0]
        shows = f"{os.path.basename(spec['path'])} as a figure" + (
            f" (ours, filled) beside the paper's values ({os.path.basename(ref['path'])}, hollow), tolerance "
            f"{tolerance}" if paper else " (no paper values to draw beside it)")
        self.written_files(fig, f"{name}-vs-paper" if paper else name, shows)


EVALUATIONS = {"ae": "E(x)", "gfe": "AMD", "ae_decoder_amd": "AMD on its decoder"}


def evaluation_name(metric):
    """test_loss_ae_decoder_amd → "AMD on its decoder": how a checkpoint metric's latents were found."""
    for prefix in ("test_loss_", "holdout_loss_"):
        if metric.startswith(prefix):
            return EVALUATIONS.get(metric[len(prefix):], metric[len(prefix):])
    return metric


def set_ylabel(ax, text):
    """A y title in lines that fit the panel's height (a long title would run off the canvas)."""
    chars = max(20, int(ax.figure.get_figheight() * 72 * 0.8 / 5.2))
    ax.set_ylabel(textwrap.fill(text, chars, break_on_hyphens=False))


def is_number(v):
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def number(v):
    return float(v) if is_number(v) and v != "" else math.nan


def read_table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/figures.py MANIFEST.json (written by gfe plot)")
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    e = Experiment(manifest)
    # The paper's own kinds first (its table beside ours, solve curves, reconstructions, maps), then the curves,
    # losses before diagnostics.
    e.table_figures()
    e.solve_curve_figure()
    e.reconstruction_figures()
    e.tsne_figures()
    e.curve_figures()
    for w in e.written:
        print(json.dumps(w, ensure_ascii=False))


if __name__ == "__main__":
    main()
