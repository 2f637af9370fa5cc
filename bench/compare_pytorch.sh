#!/usr/bin/env bash
# Dense image MLP, one CPU thread: meProp Workbench's engine against PyTorch, back to back.
#   bench/compare_pytorch.sh [EPOCHS] [LIMIT]      (defaults: 1 epoch, 10000 training images)
# Environment: MEPROP (the CLI, default build/release/engine/meprop, else build/engine/meprop), PYTHON (default /usr/bin/python3,
# which has Debian's python3-torch), DATA (default /usr/share/datasets/fashion-mnist),
# PYTORCH_LD_LIBRARY_PATH (prepended to LD_LIBRARY_PATH for PyTorch only, e.g. a folder with an
# optimised libblas.so.3: Debian's torch calls the system BLAS, by default the reference one).
set -euo pipefail

EPOCHS=${1:-1}
LIMIT=${2:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${MEPROP:-}" ]; then
  MEPROP=$ROOT/build/release/engine/meprop  # the setup script's build (CMake preset "release")
  [ -x "$MEPROP" ] || MEPROP=$ROOT/build/engine/meprop
fi
PYTHON=${PYTHON:-/usr/bin/python3}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}

if [ ! -x "$MEPROP" ]; then
  echo "compare_pytorch: $MEPROP not found; build it first (bash packaging/setup.sh build) or set MEPROP" >&2
  exit 1
fi
if ! "$PYTHON" -c "import torch, numpy" 2>/dev/null; then
  echo "compare_pytorch: $PYTHON cannot import torch and numpy (apt-get install python3-torch python3-numpy)" >&2
  exit 1
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "meprop: dense, 1 thread, $EPOCHS epoch(s), $LIMIT training images ..." >&2
"$MEPROP" train image --set mode=dense --set threads=1 --set "epochs=$EPOCHS" --set "limit=$LIMIT" \
  --set "data=$DATA" --out "$OUT/ours" --quiet >/dev/null
echo "pytorch: the same model and data ..." >&2
LD_LIBRARY_PATH="${PYTORCH_LD_LIBRARY_PATH:+$PYTORCH_LD_LIBRARY_PATH:}${LD_LIBRARY_PATH:-}" \
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  "$PYTHON" "$ROOT/bench/pytorch_mlp.py" --data "$DATA" --epochs "$EPOCHS" --limit "$LIMIT" --threads 1 \
  >"$OUT/pytorch.json"

"$PYTHON" - "$OUT/ours" "$OUT/pytorch.json" <<'PY'
import csv, json, sys
ours_dir, torch_file = sys.argv[1], sys.argv[2]
s = json.load(open(f"{ours_dir}/summary.json"))
last = list(csv.DictReader(open(f"{ours_dir}/metrics.csv")))[-1]
t = json.load(open(torch_file))
n = len(t["epochs"])
rows = [
    ("meprop (Eigen)", s["train_s"], s["fp_s"], s["bp_overall_s"], s["update_s"], float(last["dev"]), float(last["test"])),
    ("pytorch " + t["torch_version"], t["train_s"], t["fp_s"], t["bp_s"], t["update_s"], t["epochs"][-1]["dev"], t["epochs"][-1]["test"]),
]
print(f"dense MLP 784-{s['hidden']}x{s['layers']}-10, Adam, batch {s['batch']}, {s['train_examples']} training images, "
      f"{n} epoch(s), 1 thread; PyTorch BLAS: {', '.join(t['blas']) or 'unknown'}")
print("| run | train s/epoch | forward s | backward s | update s | dev % | test % |")
print("|---|---|---|---|---|---|---|")
for name, tr, fp, bp, up, dev, test in rows:
    print(f"| {name} | {tr / n:.2f} | {fp / n:.2f} | {bp / n:.2f} | {up / n:.2f} | {dev:.2f} | {test:.2f} |")
print(f"time ratio pytorch / meprop: train {t['train_s'] / s['train_s']:.2f}x, forward {t['fp_s'] / s['fp_s']:.2f}x, "
      f"backward {t['bp_s'] / s['bp_overall_s']:.2f}x, update {t['update_s'] / s['update_s']:.2f}x")
PY
