#!/usr/bin/env bash
# One prepared run of everything that needs a GPU (issue 6), for a machine with an NVIDIA GPU and a
# CUDA toolkit (nvcc; CUDA 12.x or 13.x, the driver must support the toolkit's runtime):
#   1. configure + build the CUDA backend, its tests and the GPU benchmarks (Release, no Qt app)
#   2. ctest -L cuda with MEPROP_EXPECT_GPU=1 (a missing GPU fails instead of skipping)
#   3. Table 7: one linear layer, batch 1024, hidden 8192, dense FP32/TF32 cuBLAS vs meProp k=8..512
#   4. Table 8: MLP 784-8192-8192-10 overall backprop time, dense vs meProp; the LSTM's backward
#      (POS size: in 190, H 500, 25 steps), dense vs top-k / unified / random
#   5. Fashion-MNIST, one epoch, CPU vs GPU through the meprop CLI (when it is built)
#   6. parsing and POS tagging (EWT, TEXT_LIMIT sentences), one epoch each, CPU vs GPU (CLI); POS
#      (the BiLSTM) in top-k, top-k with update=touched, and dense
#   7. a table of the epoch times, CPU vs GPU, for all three tasks, and meProp vs dense on each
#      device (the LSTM's: pos-short vs pos-short-dense)
# Results go to $OUT (default: ./gpu-check-out): gpu-check.log, ctest-cuda.xml, table7.jsonl,
# table8.jsonl, lstm.jsonl, fashion-*.{json,log}, text-*. Steps continue after a failure; the exit status is the
# number of failed steps.
#
# Usage: bench/gpu-check.sh   env: OUT, BUILD, JOBS, CUDA_ARCH, QUICK=1 (fewer k and repetitions),
#        FASHION_DEVICES="cpu cuda" (step 5 devices), FASHION_LIMIT=0 (training images; 0 = all),
#        EWT (the UD English EWT folder), POS_DEVICES="cpu cuda", POS_LIMIT=500 (training sentences)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$ROOT/gpu-check-out}
BUILD=${BUILD:-$ROOT/build-gpu}
JOBS=${JOBS:-$(nproc)}
CUDA_ARCH=${CUDA_ARCH:-90-real;80-virtual}
FASHION=${FASHION:-/usr/share/datasets/fashion-mnist}
EWT=${EWT:-$ROOT/../shared/datasets/ud-english-ewt}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-check.log") 2>&1
failed=0
step() { echo; echo "=== $* ($(date +%T))"; }
fail() { echo "!!! FAILED: $*"; failed=$((failed + 1)); }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv || fail "nvidia-smi"
NVCC=${CUDACXX:-$(command -v nvcc || ls /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc 2>/dev/null | head -1)}
if [[ -z "$NVCC" || ! -x "$NVCC" ]]; then
    echo "no nvcc found (set CUDACXX): cannot build the CUDA backend"; exit 99
fi
"$NVCC" --version | tail -2

step "configure + build ($JOBS jobs)"
GEN=(); command -v ninja >/dev/null && GEN=(-G Ninja)
cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DMEPROP_BUILD_APP=OFF -DMEPROP_ENABLE_CUDA=ON \
    -DCMAKE_CUDA_COMPILER="$NVCC" -DMEPROP_CUDA_ARCHITECTURES="$CUDA_ARCH" || { fail "configure"; exit "$failed"; }
TARGETS=(test_engine_backend_DeviceTest bench_cuda_table7 bench_cuda_table8 bench_cuda_lstm)
for f in "$ROOT"/tests/engine/cuda/*Test.cpp; do TARGETS+=("test_engine_cuda_$(basename "$f" .cpp)"); done
cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}" || { fail "build"; exit "$failed"; }
# The CLI is optional here (step 5).
cmake --build "$BUILD" -j "$JOBS" --target meprop || echo "(meprop CLI did not build: step 5 will be skipped)"

step "ctest -L cuda (GPU parity tests)"
MEPROP_EXPECT_GPU=1 ctest --test-dir "$BUILD" -L cuda --output-on-failure --output-junit "$OUT/ctest-cuda.xml" \
    || fail "ctest -L cuda"
MEPROP_EXPECT_GPU=1 "$BUILD/tests/test_engine_backend_DeviceTest" || fail "DeviceTest"

if [[ "${QUICK:-0}" == 1 ]]; then KS=8,64,512; REPS=20; STEPS=10; else KS=8,16,32,64,128,256,512; REPS=50; STEPS=20; fi
step "Table 7: linear layer, batch 1024, hidden 8192, unified meProp (CUDA graph) vs dense cuBLAS"
"$BUILD/bench/cuda/bench_cuda_table7" --k "$KS" --reps "$REPS" | tee "$OUT/table7.jsonl" || fail "table 7"
step "Table 7 without graph capture (launch overhead visible)"
"$BUILD/bench/cuda/bench_cuda_table7" --k 8,512 --reps "$REPS" --no-graph | tee "$OUT/table7-nograph.jsonl" || fail "table 7 no graph"
step "Table 7, per-example top-k (the CPU method) on the GPU"
"$BUILD/bench/cuda/bench_cuda_table7" --k 8,512 --reps "$REPS" --mode topk | tee "$OUT/table7-topk.jsonl" || fail "table 7 topk"
step "Table 8: MLP 784-8192-8192-10, overall backprop time"
"$BUILD/bench/cuda/bench_cuda_table8" --k "$KS" --steps "$STEPS" | tee "$OUT/table8.jsonl" || fail "table 8"

step "LSTM backward (in 190, H 500, 25 steps), dense vs meProp k per gate block"
"$BUILD/bench/cuda/bench_cuda_lstm" --k 5,20,50 --reps "$((REPS * 4))" | tee "$OUT/lstm.jsonl" || fail "lstm backward"

step "Fashion-MNIST, 1 epoch, CPU vs GPU (meprop CLI)"
CLI="$BUILD/engine/meprop"
if [[ -x "$CLI" && -d "$FASHION" ]]; then
    # Same preset, seed and data on both devices: the first steps agree up to float rounding; compare
    # dev/test accuracy and the epoch times (summary.json, metrics.csv in each folder).
    for dev in ${FASHION_DEVICES:-cpu cuda}; do
        for preset in image-unified image-dense; do
            "$CLI" train "$preset" --set data="$FASHION" --set epochs=1 --set batch=50 --set device=$dev --set seed=1 --set limit="${FASHION_LIMIT:-0}" \
                --out "$OUT/fashion-$preset-$dev" --overwrite --quiet > "$OUT/fashion-$preset-$dev.log" 2>&1 \
                || fail "fashion $preset $dev (see fashion-$preset-$dev.log)"
            echo "--- $preset on $dev"; cat "$OUT/fashion-$preset-$dev/summary.json" 2>/dev/null | head -40
        done
    done
else
    echo "skipped: no CLI at $CLI or no data at $FASHION"
fi

step "POS and parsing (UD English EWT), 1 epoch, CPU vs GPU (meprop CLI)"
# The same one model stack on both devices (backend/Backend.h), same seed and data, no dropout in
# these presets: the same computation up to float rounding. EWT from $EWT; without it: skipped.
# TEXT_LIMIT: training sentences (default 500).
# Each run: "name preset [key=value ...]" (the settings on top of the preset's). pos-short is the
# BiLSTM tagger in top-k k=5 (the LSTM's sparse backward), pos-short-touched the same with the lazy
# Adam (update=touched: only the kept rows move), pos-short-dense its dense baseline.
TEXT_RUNS=("parse parse" "parse-dense parse-dense" "pos-short pos-short" "pos-short-touched pos-short update=touched"
           "pos-short-dense pos-short mode=dense")
if [[ -x "$CLI" && -d "$EWT" ]]; then
    for run in "${TEXT_RUNS[@]}"; do
        read -r name preset extra <<< "$run"
        sets=()
        for kv in $extra; do sets+=(--set "$kv"); done
        for dev in ${FASHION_DEVICES:-cpu cuda}; do
            log="$OUT/text-$name-$dev.log"
            if "$CLI" train "$preset" --set data="$EWT" --set epochs=1 --set device=$dev --set seed=1 --set limit="${TEXT_LIMIT:-500}" \
                "${sets[@]}" --out "$OUT/text-$name-$dev" --overwrite --quiet > "$log" 2>&1; then
                echo "--- $name on $dev"; head -c 1500 "$OUT/text-$name-$dev/summary.json"; echo
            else
                fail "text $name $dev (see $log)"
            fi
        done
    done
else
    echo "skipped: no CLI at $CLI or no data at $EWT"
fi

step "epoch times, CPU vs GPU and meProp vs dense (train_s of the last epoch in each run's metrics.csv)"
python3 - "$OUT" <<'PY' || true
import csv, glob, os, sys
rows = {}
for m in glob.glob(os.path.join(sys.argv[1], "*-*/metrics.csv")):
    name = os.path.basename(os.path.dirname(m))
    base, dev = name.rsplit("-", 1)
    r = list(csv.DictReader(open(m)))
    if r: rows.setdefault(base, {})[dev] = {k: float(r[-1].get(k) or "nan") for k in ("train_s", "bp_overall_s")}
def fmt(v): return f"{v:.2f}" if v is not None else "-"
def train(base, dev): return rows.get(base, {}).get(dev, {}).get("train_s")
print("CPU vs GPU (epoch train_s)")
for base in sorted(rows):
    cpu, gpu = train(base, "cpu"), train(base, "cuda")
    ratio = f"{cpu / gpu:.1f}x" if cpu and gpu else "-"
    print(f"  {base:32s} cpu {fmt(cpu)} s  cuda {fmt(gpu)} s  cpu/cuda {ratio}")
# meProp vs dense on the same device: dense time / meProp time (> 1: meProp is faster). The GPU's
# bp_overall_s is host time of queued work (see README); train_s waits for the device.
print("meProp vs dense (dense / meProp; train_s, and bp_overall_s in brackets)")
pairs = [("text-pos-short", "text-pos-short-dense", "LSTM tagger top-k k=5"),
         ("text-pos-short-touched", "text-pos-short-dense", "LSTM tagger top-k k=5, update=touched"),
         ("text-parse", "text-parse-dense", "parser MLP"),
         ("fashion-image-unified", "fashion-image-dense", "image MLP unified")]
for mp, dn, what in pairs:
    for dev in ("cpu", "cuda"):
        a, b = rows.get(mp, {}).get(dev), rows.get(dn, {}).get(dev)
        if not a or not b: continue
        r = b["train_s"] / a["train_s"] if a["train_s"] else float("nan")
        rb = b["bp_overall_s"] / a["bp_overall_s"] if a["bp_overall_s"] else float("nan")
        print(f"  {what:40s} {dev:4s} meProp {fmt(a['train_s'])} s  dense {fmt(b['train_s'])} s  dense/meProp {r:.2f}x  (bp {rb:.2f}x)")
PY

step "done: $failed failed step(s); results in $OUT"
ls -l "$OUT"
exit "$failed"
