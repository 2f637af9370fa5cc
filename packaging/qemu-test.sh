#!/usr/bin/env bash
# Runs the engine's test programs and the CLI test on an emulated CPU without AVX2 (user-mode
# qemu, default -cpu Nehalem: SSE4.2, no AVX), so the portable baseline engine library is the one
# loaded, and prints which library each program got. Needs qemu-user and a built build/release.
#   packaging/qemu-test.sh [CPU]          e.g. packaging/qemu-test.sh Westmere
# Environment: MEPROP_PRESET (default release), MEPROP_QEMU_FILTER (a regex on test program names).
set -uo pipefail
cd "$(dirname "$0")/.."
cpu="${1:-Nehalem}"
bin="build/${MEPROP_PRESET:-release}"
command -v qemu-x86_64 >/dev/null || { echo "qemu-test: qemu-x86_64 not found (apt-get install qemu-user)" >&2; exit 2; }
qemu=(qemu-x86_64 -cpu "$cpu")
echo "qemu-test: -cpu $cpu: $("${qemu[@]}" "$bin/engine/meprop" --version 2>/dev/null)"
failed=()
passed=0
for t in "$bin"/tests/test_engine_*; do
  name=$(basename "$t")
  case "$name" in *cuda* | *.cmake) continue ;; esac
  [ -f "$t" ] && [ -x "$t" ] || continue
  [[ "$name" =~ ${MEPROP_QEMU_FILTER:-.} ]] || continue
  start=$(date +%s)
  # The CLI test starts the meprop binary itself: run that under qemu too.
  out=$(MEPROP_TEST_CLI_WRAPPER="${qemu[*]}" "${qemu[@]}" "$t" 2>&1)
  rc=$?
  summary=$(grep -E "^\[  PASSED  \]|^\[  FAILED  \]|tests? from .* ran" <<<"$out" | tr '\n' ' ')
  printf '%-40s rc=%-3s %4ss  %s\n' "$name" "$rc" "$(( $(date +%s) - start ))" "$summary"
  if [ $rc -ne 0 ]; then failed+=("$name"); grep -E "Failure|FAILED|Illegal|signal" <<<"$out" | head -10 | sed 's/^/    /'; else passed=$((passed + 1)); fi
done
echo "qemu-test: -cpu $cpu: $passed programs passed, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
