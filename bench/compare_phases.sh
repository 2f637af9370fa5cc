#!/usr/bin/env bash
# The trainer's per-phase times (metrics.csv: fp_s, bp_overall_s, update_s, train_s) of one epoch
# of a preset, for two meprop binaries back to back (interleaved, REPS rounds), or for one binary
# at two thread counts. Used for issue 13: the update phase of image-dense before and after the
# fused optimizer updates at threads=1, and the image preset's epoch at threads=1 vs 2.
#   bench/compare_phases.sh OLD_MEPROP NEW_MEPROP PRESET LIMIT THREADS [REPS]
#   bench/compare_phases.sh --threads MEPROP PRESET LIMIT [REPS]      (threads=1 vs threads=2)
# Prints one line per run and the medians; the load (uptime) before and after.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # run LABEL BINARY PRESET LIMIT THREADS
  "$2" train "$3" --set limit="$4" --set epochs=1 --set threads="$5" --out "$tmp/$1" --overwrite --quiet >/dev/null
  python3 - "$tmp/$1/metrics.csv" "$1" >>"$tmp/lines" <<'PY'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))[-1]
print(sys.argv[2], *(f"{k} {float(r[k]):.3f}" for k in ("fp_s", "bp_overall_s", "update_s", "train_s")))
PY
  tail -1 "$tmp/lines"
}
echo "# $(uptime)"
if [ "$1" = --threads ]; then
  bin=$2 preset=$3 limit=$4 reps=${5:-3}
  for _ in $(seq "$reps"); do
    run threads=1 "$bin" "$preset" "$limit" 1
    run threads=2 "$bin" "$preset" "$limit" 2
  done
else
  old=$1 new=$2 preset=$3 limit=$4 threads=$5 reps=${6:-3}
  for _ in $(seq "$reps"); do
    run old "$old" "$preset" "$limit" "$threads"
    run new "$new" "$preset" "$limit" "$threads"
  done
fi
python3 - "$tmp/lines" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    runs.setdefault(f[0], []).append({f[i]: float(f[i + 1]) for i in range(1, len(f), 2)})
for label, rs in runs.items():
    print("median", label, *(f"{k} {statistics.median(r[k] for r in rs):.3f}" for k in rs[0]))
PY
echo "# $(uptime)"
