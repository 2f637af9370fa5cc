#!/usr/bin/env bash
# Makes the workbench screenshots in this folder (run from the repo root), from a build in
# ./build/release (or W=path/to/meprop-workbench):
#   docs/screenshots/make-screenshots.sh            (offscreen; XVFB=1 runs them under xvfb-run)
# Every view at 1024x700 and 1600x1000 with 13 runs in the table: a k sweep of 10 runs (dense and
# k = 5 ... 300) and a top-k / random / dense comparison, on Fashion-MNIST (the Debian package
# dataset-fashion-mnist), the first 3,000 training images, 4 epochs; a comparison with 3 seeds per
# mode (live and compare views); the Paper view (smoke budget); plus the live view mid-run.
set -euo pipefail
W=${W:-./build/release/app/meprop-workbench}
OUT=${OUT:-docs/screenshots}
RUNS=$(mktemp -d)
trap 'rm -rf "$RUNS"' EXIT
# --parallel 1: one run at a time, so that the timings (and the speedups shown) are not shared cores.
C=(--preset table1-mnist-adagrad-k10 --set limit=3000 --set epochs=4 --parallel 1 --runs-dir "$RUNS/runs")
if [ "${XVFB:-0}" = 1 ]; then RUN=(xvfb-run -a -s "-screen 0 1600x1000x24"); else export QT_QPA_PLATFORM=offscreen; RUN=(); fi
# The runs, once.
"${RUN[@]}" "$W" "${C[@]}" --size 1600x1000 --autorun --sweep 5,10,20,30,50,100,150,200,300 --view sweep \
  --export-bundle "$RUNS/sweep.zip" --quit-when-done
"${RUN[@]}" "$W" "${C[@]}" --size 1600x1000 --autorun --compare --view compare --export-bundle "$RUNS/compare.zip" --quit-when-done
# Every view at both sizes, from the bundles (the Runs folder tab lists the 13 run folders).
for size in 1024x700 1600x1000; do
  for view in configure live compare sweep heatmap runs; do
    "${RUN[@]}" "$W" "${C[@]}" --size "$size" --import-bundle "$RUNS/sweep.zip" --import-bundle "$RUNS/compare.zip" \
      --view "$view" --screenshot "$OUT/$view-$size.png" --quit-when-done
  done
done
# A top-k / random / dense comparison with 3 seeds each: three seed groups, mean and +/-1 std band.
"${RUN[@]}" "$W" "${C[@]}" --size 1600x1000 --autorun --compare --seeds 3 --export-bundle "$RUNS/seeds.zip" --quit-when-done
for size in 1024x700 1600x1000; do
  for view in live compare; do
    "${RUN[@]}" "$W" "${C[@]}" --size "$size" --import-bundle "$RUNS/seeds.zip" --view "$view" --screenshot "$OUT/seeds-$view-$size.png" --quit-when-done
  done
done
# The Paper view: Table 1 and Figure 4's three panels at the smoke budget with 2 seeds (tiny runs that
# check the pipeline: the numbers mean nothing), into $RUNS/paper/reproduce-smoke; the second size
# resumes that folder (every run is there: nothing runs again, the report is rewritten).
for size in 1600x1000 1024x700; do
  "${RUN[@]}" "$W" --size "$size" --reproduce table1,fig4-left,fig4-middle,fig4-right --budget smoke --seeds 2 --autorun \
    --view paper --screenshot "$OUT/paper-$size.png" --quit-when-done --runs-dir "$RUNS/paper"
done
# A run in progress.
"${RUN[@]}" "$W" "${C[@]}" --size 1600x1000 --autorun --view live --screenshot-at 0.6 --screenshot "$OUT/live-running-1600x1000.png" --quit-when-done
echo "screenshots in $OUT"
