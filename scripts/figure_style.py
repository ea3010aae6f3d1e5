"""What every figure of the project shares (scripts/figures.py for `gfe plot`, scripts/study-figures.py for the
studies): the seed mean with its ± sd band, legends placed beside the panels and inside the canvas, and saving
as PNG, SVG and PDF with no date in them (the same data give the same bytes)."""

import math
import sys

try:
    import matplotlib
except ImportError:
    sys.exit("figures: matplotlib is missing; `make python-deps` installs it (python3 -m pip install matplotlib)")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Text stays text in SVG (searchable, selectable, smaller); no hash salt, so SVG ids repeat between runs.
matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "gfe", "font.size": 9,
                            "axes.titlesize": 10, "legend.fontsize": 8})

FORMATS = ("png", "svg", "pdf")


def mean_sd(values):
    """The mean and sample sd (n − 1) of finite values; sd 0 for one value; (nan, nan) for none."""
    v = [a for a in values if a is not None and math.isfinite(a)]
    if not v:
        return math.nan, math.nan
    m = sum(v) / len(v)
    sd = math.sqrt(sum((a - m) ** 2 for a in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return m, sd


def band(ax, x, mean, sd, colour, floor=None):
    """The ± sd band around a mean line; on a log axis never below `floor` (e.g. the lowest seed), which keeps it
    drawable."""
    lo = [m - s for m, s in zip(mean, sd)]
    if floor is not None:
        lo = [max(a, f) for a, f in zip(lo, floor)]
    hi = [m + s for m, s in zip(mean, sd)]
    ax.fill_between(x, lo, hi, color=colour, alpha=0.18, linewidth=0)


def legend_beside(fig, axes, handles=None, labels=None, title=None, width=None, fontsize=8):
    """One legend to the right of the panels, inside the canvas: the figure is widened by the legend's own width
    (measured, not guessed), so long labels never run off the edge. Returns the legend."""
    if handles is None:
        handles, labels = [], []
        for ax in axes:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
    if not handles:
        fig.tight_layout()
        return None
    fig.tight_layout()
    legend = fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
                        fontsize=fontsize, title=title, title_fontsize=fontsize)
    fig.canvas.draw()
    needed = legend.get_window_extent().width / fig.dpi + 0.25
    if width is not None:
        needed = max(needed, width)
    old = fig.get_figwidth()
    fig.set_figwidth(old + needed)
    fig.tight_layout(rect=(0, 0, old / (old + needed), 1))
    legend.set_bbox_to_anchor((old / (old + needed), 0.5), transform=fig.transFigure)
    return legend


def check_inside(fig, stem):
    """Every text and legend of the figure lies inside its canvas (a label cut at the edge is a defect the
    figures promise not to have)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    slack = 2.0
    artists = list(fig.legends) + list(fig.texts)
    for ax in fig.axes:
        artists += [ax.title, ax.xaxis.label, ax.yaxis.label] + ([ax.get_legend()] if ax.get_legend() else [])
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            artists += [t.label1 for t in axis.get_major_ticks() if lo <= t.get_loc() <= hi and t.label1.get_text()]
    # Neighbouring tick labels must not run into each other (long numbers on a narrow axis).
    for ax in fig.axes:
        lo, hi = sorted(ax.xaxis.get_view_interval())
        boxes = sorted(((t.label1.get_window_extent(renderer), t.label1.get_text()) for t in ax.xaxis.get_major_ticks()
                        if lo <= t.get_loc() <= hi and t.label1.get_visible() and t.label1.get_text()),
                       key=lambda b: b[0].x0)
        for (a, ta), (b, tb) in zip(boxes, boxes[1:]):
            if a.x1 > b.x0 + 1:
                sys.exit(f"figures: {stem}: the tick labels '{ta}' and '{tb}' overlap")
    for a in artists:
        if a is None or not a.get_visible() or (hasattr(a, "get_text") and not a.get_text()):
            continue
        box = a.get_window_extent(renderer)
        if box.x0 < -slack or box.y0 < -slack or box.x1 > width + slack or box.y1 > height + slack:
            what = a.get_text() if hasattr(a, "get_text") else "a legend"
            sys.exit(f"figures: {stem}: '{what}' leaves the canvas ({box.x0:.0f}..{box.x1:.0f} × "
                     f"{box.y0:.0f}..{box.y1:.0f} of {width:.0f} × {height:.0f} px)")


def save(fig, stem, formats=FORMATS, tight=False):
    """STEM.png, .svg and .pdf after checking nothing leaves the canvas (no creation date: the same data give
    the same bytes); closes the figure and returns the files written. `tight` crops the canvas to what is drawn
    instead (image grids, whose row labels take what room they need), which keeps everything inside by
    construction."""
    if not tight:
        check_inside(fig, stem)
    written = []
    for ext in formats:
        metadata = {"CreationDate": None} if ext == "pdf" else {"Date": None} if ext == "svg" else None
        extra = {"bbox_inches": "tight", "pad_inches": 0.08} if tight else {}
        fig.savefig(f"{stem}.{ext}", dpi=150, metadata=metadata, **extra)
        written.append(f"{stem}.{ext}")
    plt.close(fig)
    return written
