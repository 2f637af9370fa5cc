#!/usr/bin/env bash
# Makes the workbench screenshots in this folder from a build in ./build (run from the repo root):
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build meprop-workbench
#   docs/screenshots/make-screenshots.sh            (offscreen; XVFB=1 runs them under xvfb-run)
# Data: Fashion-MNIST from the Debian package dataset-fashion-mnist, the first 3,000 training images.
set -euo pipefail
W=${W:-./build/app/meprop-workbench}
OUT=${OUT:-docs/screenshots}
RUNS=$(mktemp -d)
trap 'rm -rf "$RUNS"' EXIT
C=(--preset table1-mnist-adagrad-k10 --set limit=3000 --set epochs=4 --runs-dir "$RUNS" --size 1440x900)
if [ "${XVFB:-0}" = 1 ]; then RUN=(xvfb-run -a -s "-screen 0 1600x1000x24"); else export QT_QPA_PLATFORM=offscreen; RUN=(); fi
"${RUN[@]}" "$W" "${C[@]}" --view configure --screenshot "$OUT/configure.png" --quit-when-done
"${RUN[@]}" "$W" "${C[@]}" --autorun --view live --screenshot-at 0.6 --screenshot "$OUT/live.png" --quit-when-done
"${RUN[@]}" "$W" "${C[@]}" --autorun --compare --view compare --screenshot "$OUT/compare.png" --quit-when-done
"${RUN[@]}" "$W" "${C[@]}" --autorun --sweep 5,10,20,50,100,200 --view sweep --screenshot "$OUT/sweep.png" --quit-when-done
"${RUN[@]}" "$W" "${C[@]}" --autorun --view heatmap --screenshot "$OUT/heatmap.png" --quit-when-done
echo "screenshots in $OUT"
