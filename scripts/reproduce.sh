#!/usr/bin/env bash
# Runs paper experiments end to end: each spec's runs (finished ones are reused), its table beside the paper's
# values with the spec's tolerance (gfe table --diff), and its figures (gfe plot); then the report page
# results/index.html (gfe report). Prints a rough duration estimate first and the wall time at the end. Called by `make reproduce-*`; usable directly:
#   scripts/reproduce.sh [--seeds N] [--preset official|paper] table1 | table2 | figures | all | examples | beyond | SPEC-NAME...
# --seeds N runs N seeds (the spec's seed and the following integers) and tables report mean ± sd, with the
# per-seed numbers behind them in results/SPEC/runs-seedsN.csv (gfe runs --csv);
# --preset paper runs the AMD encoder with the paper's constants (β = 0.75, K = 48, z₀ = 0) instead of the
# authors' code's. Exit status: that of the first failing step (1: a run failed; the spec's table and figures
# are still made, showing the failed run as far as it got); cells outside the spec's tolerance are reported,
# not failures.
set -u
cd "$(dirname "$0")/.."
GFE=${GFE:-.build/release/gfe}
seeds="" preset=official names=()
while (($#)); do
  case $1 in
    --seeds) seeds=${2:?--seeds needs a count}; shift 2 ;;
    --preset) preset=${2:?--preset needs official or paper}; shift 2 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) names+=("$1"); shift ;;
  esac
done
[[ $preset == official || $preset == paper ]] || { echo "reproduce: --preset must be official or paper, not '$preset'" >&2; exit 2; }
[[ -z $seeds || $seeds =~ ^[1-9][0-9]*$ ]] || { echo "reproduce: --seeds must be a positive count, not '$seeds'" >&2; exit 2; }
((${#names[@]})) || { echo "usage: scripts/reproduce.sh [--seeds N] [--preset official|paper] table1|table2|figures|all|examples|beyond|SPEC..." >&2; exit 2; }
[[ -x $GFE ]] || { echo "reproduce: $GFE is missing; run 'make build' first" >&2; exit 2; }

# Rough single-seed durations on the 2-core reference machine, from measured per-attempt and per-iteration
# rates (docs/results.md; results/REPORT.md has the measured wall times).
declare -A minutes=([smoke]=1 [table1]=25 [table2-mnist]=30 [table2-segmented-mnist]=20 [table2-fashion-mnist]=35
                    [fig1]=5 [fig3-left]=45 [fig3-right]=20 [fig4]=30 [fig5]=35 [fig6-7]=2 [lowdim]=10 [spectra]=20
                    [amortisation-gap]=50 [step-control]=65 [data-efficiency]=65 [latent-tables]=55 [decoder-gradients]=90
                    [adjoint-divergence]=60)
specs=()
for n in "${names[@]}"; do
  case $n in
    table2) specs+=(table2-mnist table2-segmented-mnist table2-fashion-mnist) ;;
    # fig5 and fig6-7 reuse the runs of table2-mnist and table2-fashion-mnist when those have finished.
    figures) specs+=(fig1 fig3-left fig3-right fig4 fig5 fig6-7) ;;
    all) specs+=(table1 table2-mnist table2-segmented-mnist table2-fashion-mnist fig1 fig3-left fig3-right fig4 fig5 fig6-7) ;;
    examples) specs+=(lowdim spectra) ;;
    # Issue 16's studies beyond the paper, one spec each (results/REPORT.md).
    beyond) specs+=(amortisation-gap step-control data-efficiency latent-tables decoder-gradients adjoint-divergence) ;;
    *) [[ -f experiments/$n.json ]] || { echo "reproduce: no spec experiments/$n.json" >&2; exit 2; }; specs+=("$n") ;;
  esac
done

# Run ids contain the code version (the git commit): fix it for the whole reproduction, so that a commit made
# while it runs does not make its own tables look for other runs.
if [[ -z ${GFE_CODE_VERSION:-} ]]; then
  GFE_CODE_VERSION=$($GFE resolve "experiments/${specs[0]}.json" | sed -n 's/^code version: //p')
  export GFE_CODE_VERSION
fi
args=()
[[ -n $seeds ]] && args+=(--seeds "$seeds")
[[ $preset == paper ]] && args+=(--set encoder.preset=paper)
suffix=""
[[ $preset == paper ]] && suffix+="-paper"
[[ -n $seeds && $seeds != 1 ]] && suffix+="-seeds$seeds"

total=0
for s in "${specs[@]}"; do total=$((total + ${minutes[$s]:-30} * ${seeds:-1})); done
echo "reproduce: ${specs[*]} — preset $preset, ${seeds:-1} seed(s); rough estimate ${total} min on 2 cores (finished runs are reused)"
start=$(date +%s)
status=0
differing=() runs_failed=()
# Keeps the first failure's exit status; later steps still run.
failed() { local rc=$?; ((status)) || status=$rc; }
for s in "${specs[@]}"; do
  spec=experiments/$s.json
  echo; echo "== $s: $($GFE resolve "$spec" "${args[@]}" | sed -n 's/^description: //p')"
  $GFE run "$spec" "${args[@]}"
  rc=$?
  ((rc == 130)) && { echo "reproduce: interrupted during $s" >&2; exit 130; }
  # A failed run (diverged or errored; 1) is stored with its reason and drawn up to where it stopped: its table
  # and figures are still made, and the failure noted at the end. Bad input (2) leaves nothing to show.
  if ((rc == 1)); then runs_failed+=("$s"); ((status)) || status=1
  elif ((rc)); then ((status)) || status=$rc; continue; fi
  if grep -q '"table"' "$spec"; then
    table=results/$s/table$suffix.csv
    if grep -q '"reference"' "$spec"; then
      # A cell outside the spec's tolerance is a finding about the paper, not a failure of the reproduction:
      # it is reported (the diff above marks it NO) and counted, and the exit status stays that of the runs.
      $GFE table "$spec" "${args[@]}" --output "$table" --diff
      rc=$?
      # With failed runs the diff also fails on their empty cells: that is reported below, not as a difference.
      if ((rc == 1)); then [[ " ${runs_failed[*]} " == *" $s "* ]] || differing+=("$s"); elif ((rc)); then ((status)) || status=$rc; fi
      ref=$(sed -n 's/.*"reference": *{"file": *"\.\.\/\([^"]*\)".*/\1/p' "$spec")
      if [[ -n $ref && -f $ref ]]; then
        echo "paper ($ref):"
        grep -v '^#' "$ref" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%-24s", $i; print "" }'
      fi
    else
      $GFE table "$spec" "${args[@]}" --output "$table" || failed
    fi
  fi
  # Over several seeds a table gives mean ± sd: the per-seed numbers behind it go beside it.
  if [[ $suffix == *-seeds* ]] && grep -q '"table"' "$spec"; then
    $GFE runs "$spec" "${args[@]}" --csv > "results/$s/runs$suffix.csv" || failed
  fi
  if [[ $s == fig* || $s == smoke || $s == lowdim || $s == spectra ]]; then $GFE plot "$spec" "${args[@]}" || failed; fi
  # Figure 3 (right) has no table of checkpoints: its validation curves and solve costs are its table (REPORT.md).
  if [[ $s == fig3-right ]]; then
    $GFE runs "$spec" "${args[@]}" --curves --metric validation_loss --metric solve_attempts --every 10 --csv \
      > "results/$s/curves$suffix.csv" || failed
  fi
  # The studies' figures are drawn from their tables (one seed set: the committed one).
  case $s in amortisation-gap|step-control|data-efficiency|latent-tables) [[ -z $suffix ]] && { python3 scripts/study-figures.py "$s" || failed; } ;; esac
  # Curve studies: their curves (thinned to the validation grid) as the committed table, then the figures;
  # study 4 also replays its diverging steps (scripts/adjoint-replays.py).
  if [[ -z $suffix && ( $s == decoder-gradients || $s == adjoint-divergence ) ]]; then
    $GFE runs "$spec" --curves --metric validation_loss --metric solve_gradient_norm --every 10 --csv \
      > "results/$s/curves.csv" || failed
    [[ $s == adjoint-divergence ]] && { GFE=$GFE python3 scripts/adjoint-replays.py || failed; }
    python3 scripts/study-figures.py "$s" || failed
  fi
done
echo; echo "wall time: $(( $(date +%s) - start )) s (${specs[*]}, preset $preset, ${seeds:-1} seed(s))"
if ((${#differing[@]})); then
  echo "note: ${differing[*]}: some cells differ from the paper by more than the spec's tolerance (marked NO above);"
  echo "      results/REPORT.md discusses where and why"
fi
if ((${#runs_failed[@]})); then
  echo "note: ${runs_failed[*]}: some runs failed (the exit status is 1); \`gfe status experiments/NAME.json\` gives"
  echo "      each reason. Tables leave their cells empty; figures draw them up to where they stopped, marked failed"
fi
# The report page: every experiment's tables (beside the paper's values), figures and provenance in one
# self-contained results/index.html. Its failure is said but does not change the exit status of the runs.
$GFE report || echo "reproduce: gfe report failed (above); results/index.html was not refreshed" >&2
exit "$status"
