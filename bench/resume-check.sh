#!/usr/bin/env bash
# Kills a training run with SIGKILL right after its first checkpoint, resumes it with --resume, and
# diffs it against an uninterrupted run of the same config: metrics.csv without its timing columns,
# summary.json without timings and timestamps, config.json byte for byte. Uses the image task
# (MNIST or Fashion-MNIST from the data catalogue). Exit 1 when anything differs.   bench/resume-check.sh NEW_EMPTY_DIR   (MEPROP=path/to/meprop)
set -u
M=${MEPROP:-$(cd "$(dirname "$0")/.." && pwd)/build/release/engine/meprop}
D=${1:?usage: bench/resume-check.sh NEW_EMPTY_DIR}; [ ! -e "$D" ] || { echo "resume-check: $D exists; give a new folder" >&2; exit 2; }; mkdir -p "$D"; cd "$D"
S=(--set limit=3000 --set epochs=4 --set threads=1 --quiet)
$M train table1-mnist-adam-k20 "${S[@]}" --out A || exit 1
$M train table1-mnist-adam-k20 "${S[@]}" --out B & P=$!
for i in $(seq 1 600); do ls B/ 2>/dev/null | grep -q -i checkpoint && break; sleep 0.1; done
sleep 0.3; kill -9 $P; wait $P 2>/dev/null; echo "killed: B holds: $(ls B | tr '\n' ' ')"
$M train --resume B --quiet; echo "resume rc=$?"
echo "--- diff of metrics.csv without the timing columns:"
cut -d, -f"$(head -1 A/metrics.csv | tr , '\n' | grep -n -v -E '_s$|time|sec' | cut -d: -f1 | paste -sd,)" A/metrics.csv > A.m
cut -d, -f"$(head -1 B/metrics.csv | tr , '\n' | grep -n -v -E '_s$|time|sec' | cut -d: -f1 | paste -sd,)" B/metrics.csv > B.m
fail=0
diff A.m B.m && echo "metrics identical ($(wc -l < A.m) lines, columns: $(head -1 A.m))" || fail=1
echo "--- diff of summary.json without timings:"
python3 - <<'PY'
import json
a=json.load(open('A/summary.json')); b=json.load(open('B/summary.json'))
strip=lambda d:{k:v for k,v in d.items() if not (k.endswith(('_s','_at')) or 'time' in k)}
sa,sb=strip(a),strip(b)
diff={k:(sa.get(k),sb.get(k)) for k in set(sa)|set(sb) if sa.get(k)!=sb.get(k)}
print("summary identical except timings" if not diff else diff, "; keys compared:", len(sa))
raise SystemExit(1 if diff else 0)
PY
[ $? -eq 0 ] || fail=1
cmp A/config.json B/config.json && echo "config.json identical" || fail=1
exit $fail
