#!/usr/bin/env bash
# The CLI runs on a CPU without AVX2: `qemu-x86_64 -cpu Nehalem` (user-mode emulation of an x86-64
# CPU with SSE4.2 but no AVX) must run a bench-linear (GEMMs + top-k) with the baseline engine, and,
# when the build has the x86-64-v3 engine, `-cpu Haswell` must pick that one.
# Usage: qemu_cpu_test.sh MEPROP_BINARY V3_BUILT(0|1). Exit 77 (skipped) without qemu-x86_64.
set -uo pipefail
meprop="$1"
v3_built="${2:-0}"
if ! command -v qemu-x86_64 >/dev/null 2>&1; then
  echo "SKIPPED: qemu-x86_64 not installed (Debian: apt-get install qemu-user); cannot emulate a CPU without AVX2"
  exit 77
fi
fail=0
check() {  # check CPU EXPECTED_ISA
  local cpu="$1" want="$2" out rc err
  err=$(mktemp)
  # (qemu warns on stderr about CPU features its TCG does not emulate; only shown on failure)
  out=$(qemu-x86_64 -cpu "$cpu" "$meprop" bench-linear --batch 2 --in 64 --out 64 --k 5 --reps 3 2>"$err")
  rc=$?
  echo "qemu -cpu $cpu: rc=$rc: $out"
  if [ $rc -ne 0 ]; then
    grep -v "TCG doesn't support" "$err"
    echo "FAIL: meprop died on -cpu $cpu (rc $rc; 132 = illegal instruction)"
    fail=1
    rm -f "$err"
    return
  fi
  rm -f "$err"
  if ! grep -q "\"engine\":\"$want\"" <<<"$out"; then echo "FAIL: -cpu $cpu ran engine other than $want"; fail=1; fi
  version=$(qemu-x86_64 -cpu "$cpu" "$meprop" --version 2>/dev/null)
  echo "qemu -cpu $cpu: $version"
}
check Nehalem x86-64
if [ "$v3_built" = 1 ]; then check Haswell x86-64-v3; fi
exit $fail
