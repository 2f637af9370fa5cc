#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each and prints, per target, the executions,
# the corpus size and whether it found a crash. Configures and builds the `fuzz` preset (clang,
# ASan + UBSan) first when needed. Exit status: 0 when no target found anything, 1 otherwise.
#   bench/fuzz.sh SECONDS [TARGET...]        e.g. bench/fuzz.sh 600; bench/fuzz.sh 20 idx config
# Environment: MEPROP_FUZZ_JOBS (targets run at once, default 1; the machine's cores are shared, keep
# it at 1 or 2), MEPROP_JOBS (build jobs, default: all cores), MEPROP_FUZZ_BUILD (default build/fuzz).
# The growing corpus of each target stays in BUILD/corpus/<target> (seeded from tests/fuzz/corpus,
# tests/fuzz/regressions and the SEEDS folders of tests/fuzz/CMakeLists.txt). A crash, hang, leak,
# sanitizer report or broken property is saved under BUILD/artifacts/<target>/ and copied into
# tests/fuzz/regressions/<target>/, where the fuzz_replay_<target> ctest of the normal build feeds
# it to the reader from then on: fix the reader, then commit the input with the fix.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: bench/fuzz.sh SECONDS [TARGET...]" >&2
  exit 2
fi
shift
build="${MEPROP_FUZZ_BUILD:-build/fuzz}"
jobs="${MEPROP_FUZZ_JOBS:-1}"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ not found (Debian: apt-get install clang libomp-dev); the fuzz targets need libFuzzer" >&2
  exit 2
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  launcher=()
  if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake --preset fuzz -B "$build" "${launcher[@]}" >/dev/null || exit 2
fi
cmake --build "$build" --target meprop_fuzz_targets -j "${MEPROP_JOBS:-$(nproc)}" >"$build/build.log" 2>&1 || {
  tail -40 "$build/build.log"
  echo "fuzz: build failed (log: $build/build.log)" >&2
  exit 2
}

# targets.txt: "<name> <executable> <seed folders...>" per line, written by tests/fuzz/CMakeLists.txt.
declare -A exe seeds
names=()
while read -r name binary rest; do
  [ -n "$name" ] || continue
  exe[$name]="$binary"
  seeds[$name]="$rest"
  names+=("$name")
done <"$build/tests/fuzz/targets.txt"
if [ $# -gt 0 ]; then
  for n in "$@"; do
    [ -n "${exe[$n]:-}" ] || { echo "fuzz: no target $n (targets: ${names[*]})" >&2; exit 2; }
  done
  names=("$@")
fi

run_one() {  # run_one NAME: fuzz it, write BUILD/logs/NAME.log, return libFuzzer's status
  local name="$1" corpus="$build/corpus/$1" artifacts="$build/artifacts/$1/" dict=()
  mkdir -p "$corpus" "$artifacts" "$build/logs"
  if [ -f "tests/fuzz/$name.dict" ]; then dict=(-dict="tests/fuzz/$name.dict"); fi
  # -timeout: an input running 20 s is a hang; -rss_limit_mb: 2 GiB is an out-of-memory finding.
  # detect_leaks: a leak is a finding too.
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    "${exe[$name]}" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "${dict[@]}" "$corpus" ${seeds[$name]} >"$build/logs/$name.log" 2>&1
}

report() {  # report NAME STATUS
  local name="$1" status="$2" log="$build/logs/$1.log"
  local execs rate corp cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  local files
  files=$(find "$build/corpus/$name" -type f | wc -l)
  printf '%-8s %10s execs %7s/s  corpus %s (%s new files kept)  cov %s  ' "$name" "${execs:-?}" "${rate:-?}" "${corp:-?}" "$files" "${cov:-?}"
  if [ "$status" -eq 0 ]; then
    echo "clean"
    return 0
  fi
  if [ "$status" -eq 72 ]; then
    echo "interrupted (libFuzzer status 72)"
    return 1
  fi
  echo "FOUND SOMETHING (libFuzzer status $status; log $log)"
  grep -E "ERROR: |SUMMARY: |fuzz: property violated|runtime error|Test unit written" "$log" | head -8 | sed 's/^/    /'
  mkdir -p "tests/fuzz/regressions/$name"
  for f in "$build/artifacts/$name"/*; do
    [ -f "$f" ] || continue
    case "$f" in *.seen) continue ;; esac  # reported by an earlier run
    cp "$f" "tests/fuzz/regressions/$name/" && echo "    kept as tests/fuzz/regressions/$name/$(basename "$f")"
    mv "$f" "$f.seen"
  done
  return 1
}

echo "fuzz: ${#names[@]} targets x ${seconds} s, ${jobs} at a time ($(uptime | sed 's/.*load/load/'))"
failed=0
i=0
while [ $i -lt ${#names[@]} ]; do
  batch=("${names[@]:$i:$jobs}")
  pids=()
  for n in "${batch[@]}"; do
    run_one "$n" &
    pids+=($!)
  done
  for k in "${!batch[@]}"; do
    wait "${pids[$k]}"
    status=$?
    report "${batch[$k]}" "$status" || failed=1
  done
  i=$((i + jobs))
done
exit $failed
