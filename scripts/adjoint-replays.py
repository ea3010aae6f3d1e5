#!/usr/bin/env python3
"""Study 4 (results/REPORT.md): why the full adjoint diverges. Runs `gfe replay` on the stored runs of
experiments/adjoint-divergence.json and experiments/decoder-gradients.json and writes

    results/adjoint-divergence/replays.csv           one row per replay: the step, what was changed, each
                                                     precision's loss, |dL/dtheta|, finiteness, and the grid's
                                                     largest stiffness h*alpha*lambda_max and intervals beyond
                                                     the Runge-Kutta limit
    results/adjoint-divergence/replay-intervals.csv  one row per replay and grid interval (stiffness, adjoint
                                                     norms in Float32 and Float64)

The replays: the failing step of every diverged adjoint run, as it ran and with a grid of 200 and 400 points
and with the unrolled gradient; and the step after each decoder a finished run of the study stored (every 100
iterations; the approximate run's with the adjoint gradient), to follow the stiffness the adjoint meets as
training goes on.

    python3 scripts/adjoint-replays.py [--results DIR]     # GFE (default .build/release/gfe) runs the replays

Runs that are not stored yet are skipped with a note. Give the same GFE_CODE_VERSION as the runs had.
"""

import csv
import json
import os
import subprocess
import sys

GFE = os.environ.get("GFE", ".build/release/gfe")
STUDY = "adjoint-divergence"
CHANGES = [[], ["encoder.points=200"], ["encoder.points=400"], ["gradient.mode=unrolled"]]


def gfe(args):
    r = subprocess.run([GFE] + args, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def runs(spec, results):
    code, out, err = gfe(["runs", f"experiments/{spec}.json", "--json", "--results", results])
    if code != 0:
        sys.exit(f"adjoint-replays: gfe runs {spec} failed: {err.strip()}")
    seen, listing = set(), []
    for row in json.loads(out):
        if row["index"] not in seen:
            seen.add(row["index"])
            listing.append(row)
    return listing


def replay(spec, index, results, iteration=None, changes=()):
    args = ["replay", f"experiments/{spec}.json", "--index", str(index), "--json", "--results", results]
    if iteration is not None:
        args += ["--iteration", str(iteration)]
    for c in changes:
        args += ["--change", c]
    code, out, err = gfe(args)
    if code != 0:
        print(f"adjoint-replays: skipped {spec} [{index}] {' '.join(changes)}: {err.strip()}", file=sys.stderr)
        return None
    return json.loads(out)


def main():
    args = sys.argv[1:]
    results = "results"
    if args[:1] == ["--results"] and len(args) > 1:
        results, args = args[1], args[2:]
    if args:
        sys.exit("usage: scripts/adjoint-replays.py [--results DIR]")
    if not os.access(GFE, os.X_OK):
        sys.exit(f"adjoint-replays: {GFE} is missing; run 'make build' first")
    replays = []
    for spec in ("decoder-gradients", STUDY):
        for run in runs(spec, results):
            if run.get("gradient") == "adjoint" and run["state"] == "failed":
                for changes in CHANGES:
                    r = replay(spec, run["index"], results, changes=changes)
                    if r:
                        replays.append(("failing step", r))
    # The stored decoders of the finished runs, every 100 iterations: the stiffness as training goes on (the
    # approximate run's decoders replayed with the adjoint gradient).
    for run in runs(STUDY, results):
        if run["state"] == "finished":
            changes = ["gradient.mode=adjoint"] if run.get("gradient") == "approximate" else []
            for step in range(101, 1202, 100):
                r = replay(STUDY, run["index"], results, iteration=step, changes=changes)
                if r:
                    replays.append(("stored decoder", r))
    if not replays:
        sys.exit("adjoint-replays: no stored run to replay; run experiments/adjoint-divergence.json first")

    out = os.path.join(results, STUDY)
    os.makedirs(out, exist_ok=True)
    limit = 2.785293563405282
    with open(os.path.join(out, "replays.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["# gfe replay (scripts/adjoint-replays.py): one row per replayed step"])
        w.writerow(["kind", "experiment", "index", "run_id", "label", "step", "changes", "gradient",
                    "float32_finite", "float32_mean_loss", "float32_gradient_norm", "float64_finite",
                    "float64_mean_loss", "float64_gradient_norm", "intervals", "max_stiffness",
                    "intervals_beyond_limit", "adjoint_growth_float64"])
        for kind, r in replays:
            rows = r["intervals"]
            stiff = [x["stiffness"] for x in rows if isinstance(x.get("stiffness"), (int, float))]
            norms = [x["adjoint_norm_float64"] for x in rows if x.get("adjoint_norm_float64") is not None]
            # Intervals run backwards in time in the sweep; rows are in grid order, so the sweep starts at the
            # last row (t = tau's end) and ends at the first (t = 0).
            numeric_ends = len(norms) > 1 and all(isinstance(v, (int, float)) for v in (norms[0], norms[-1]))
            growth = norms[0] / norms[-1] if numeric_ends and norms[-1] else ""
            w.writerow([kind, r["experiment"], r["index"], r["runId"], r["label"], r["step"], " ".join(r["changes"]),
                        r["gradient"], r["float32"]["finite"], r["float32"]["meanLoss"], r["float32"]["gradientNorm"],
                        r["float64"]["finite"], r["float64"]["meanLoss"], r["float64"]["gradientNorm"], len(rows),
                        max(stiff) if stiff else "", sum(1 for v in stiff if v > limit), growth])
    with open(os.path.join(out, "replay-intervals.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["# gfe replay (scripts/adjoint-replays.py): one row per replayed step and grid interval"])
        header = ["experiment", "index", "step", "changes", "interval", "t", "h", "alpha", "stiffness",
                  "stiffness_row", "amplification", "adjoint_norm_float32", "adjoint_norm_float64"]
        w.writerow(header)
        for _, r in replays:
            for x in r["intervals"]:
                w.writerow([r["experiment"], r["index"], r["step"], " ".join(r["changes"])]
                           + ["" if x.get(k) is None else x[k] for k in header[4:]])
    print(f"{len(replays)} replays → {out}/replays.csv, {out}/replay-intervals.csv")


if __name__ == "__main__":
    main()
