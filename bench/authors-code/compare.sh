#!/usr/bin/env bash
# Runs meprop (in the authors' mode, or its default mode) and the authors' own C# program on the
# same MNIST-format data, dense and top-k, N seeds each, then writes one chart (dev accuracy and
# training loss per evaluation, both implementations) and a markdown table (docs/authors-code.md).
#
# usage: bench/authors-code/compare.sh CHECKOUT DATA_DIR OUT_DIR [options] [key=value ...]
#   --seeds N          seeds 1..N per implementation and mode (2)
#   --jobs J           runs at a time, each under nice -n 10 (2)
#   --ours MODE        authors: the authors-mnist-adam-* presets (every training detail of their code);
#                      default: meprop's own defaults (table1-mnist-adam-*) (authors)
#   --ours-set K=V     an extra key for meprop's runs only, e.g. to switch one detail back (repeatable)
#   --no-theirs        run meprop only (e.g. an ablation beside an earlier run of theirs: reuse OUT_DIR)
#   key=value          for both implementations: k, batch, epochs, evals_per_epoch, limit, optimizer, lr,
#                      hidden, layers (defaults: k=20 batch=10 epochs=5 evals_per_epoch=8 limit=10000)
# meprop: $MEPROP or build/release/engine/meprop. Finished runs in OUT_DIR are kept, not rerun.
set -euo pipefail

die() { echo "compare.sh: $*" >&2; exit 2; }
[[ $# -ge 3 ]] || die "usage: compare.sh CHECKOUT DATA_DIR OUT_DIR [--seeds N] [--jobs J] [--ours authors|default] [--ours-set K=V] [key=value ...]"
checkout=$1 data=$2 outdir=$3; shift 3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
meprop=${MEPROP:-$root/build/release/engine/meprop}
[[ -x $meprop ]] || die "$meprop: meprop not built (cmake --build --preset release --target meprop, or set MEPROP)"
seeds=2 jobs=2 ours=authors theirs=1
ours_set=()
declare -A common=([k]=20 [batch]=10 [epochs]=5 [evals_per_epoch]=8 [limit]=10000)
while [[ $# -gt 0 ]]; do
    case $1 in
        --seeds) seeds=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --ours) ours=$2; shift 2 ;;
        --ours-set) ours_set+=("$2"); shift 2 ;;
        --no-theirs) theirs=0; shift ;;
        *=*) common[${1%%=*}]=${1#*=}; shift ;;
        *) die "$1: unknown option" ;;
    esac
done
[[ $seeds =~ ^[1-9][0-9]*$ ]] || die "--seeds: expected a positive integer"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs: expected a positive integer"
case $ours in authors) prefix=authors-mnist-adam ;; default) prefix=table1-mnist-adam ;; *) die "--ours: authors or default" ;; esac
for key in "${!common[@]}"; do
    case $key in k|batch|epochs|evals_per_epoch|limit|optimizer|lr|hidden|layers) ;;
        *) die "key \"$key\": not a setting both implementations have" ;; esac
done
if [[ ${common[optimizer]:-adam} == adagrad ]]; then prefix=${prefix/adam/adagrad}; fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
tag=$ours
for kv in "${ours_set[@]}"; do tag+="-${kv//[^A-Za-z0-9._-]/_}"; done

running=0
launch() {  # name, command...
    local name=$1; shift
    if [[ -f "$outdir/$name/summary.json" ]]; then echo "compare.sh: $name already done"; return; fi
    while (( running >= jobs )); do wait -n || true; running=$((running - 1)); done
    echo "compare.sh: start $name"
    ( nice -n 10 "$@" > "$outdir/$name.log" 2>&1 && echo "compare.sh: done $name" ||
      echo "compare.sh: FAILED $name (see $outdir/$name.log)" ) &
    running=$((running + 1))
}

args=()
for key in "${!common[@]}"; do args+=("$key=${common[$key]}"); done
for seed in $(seq 1 "$seeds"); do
    for mode in topk dense; do
        # The Table 1 presets (k is set below with the other common keys).
        if [[ $mode == dense ]]; then preset=$prefix-dense; elif [[ $prefix == *adagrad ]]; then preset=$prefix-k10; else preset=$prefix-k20; fi
        sets=(--set "data=$data" --set "seed=$seed")
        for kv in "${args[@]}"; do sets+=(--set "$kv"); done
        for kv in "${ours_set[@]}"; do sets+=(--set "$kv"); done
        launch "ours-$tag-$mode-s$seed" "$meprop" train "$preset" "${sets[@]}" --set "mode=$mode" --out "$outdir/ours-$tag-$mode-s$seed" --quiet --overwrite
        if (( theirs )); then
            launch "authors-$mode-s$seed" "$here/run.sh" "$checkout" "$data" "${args[@]}" "mode=$mode" "seed=$seed" "out=$outdir/authors-$mode-s$seed"
        fi
    done
done
wait
py=python3
python3 -c 'import matplotlib' 2>/dev/null || py=/usr/bin/python3
"$py" "$here/chart.py" "$outdir" "ours-$tag" "$outdir/compare-$tag.png" "$outdir/compare-$tag.md"
