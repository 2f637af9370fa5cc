#!/usr/bin/env bash
# bench-linear of two meprop binaries back to back (interleaved per configuration, same session):
# the dense and meProp times of one 500x500 layer's backward and their ratio, k = 5..100, batch 1
# and 10, mode topk. Used to check that the runtime-dispatched build (engine picked through
# glibc-hwcaps) is as fast as the old one compiled with -march=x86-64-v3 throughout.
#   bench/compare_builds.sh OLD_MEPROP NEW_MEPROP [REPS]
# Set MEPROP_BASELINE=1 to add a third column: NEW with the x86-64-v3 library masked off
# (ld.so --glibc-hwcaps-mask), i.e. the portable baseline engine on this CPU.
set -euo pipefail
old="$1"
new="$2"
reps="${3:-2000}"
ldso=/lib64/ld-linux-x86-64.so.2
echo "# $(uptime)"
echo "# old: $("$old" --version 2>/dev/null || echo "$old")"
echo "# new: $("$new" --version)"
printf '%-6s %-4s | %-28s | %-28s' batch k "old dense/meprop ms (ratio)" "new dense/meprop ms (ratio)"
[ "${MEPROP_BASELINE:-0}" = 1 ] && printf ' | %-28s' "baseline dense/meprop ms (ratio)"
printf ' | new/old ratio\n'
field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" <<<"$2"; }
for batch in 1 10; do
  for k in 5 10 20 50 100; do
    args=(bench-linear --batch "$batch" --in 500 --out 500 --k "$k" --mode topk --reps "$reps")
    o=$("$old" "${args[@]}")
    n=$("$new" "${args[@]}")
    line=$(printf '%-6s %-4s | %8.4f %8.4f (%6.2f)    | %8.4f %8.4f (%6.2f)   ' "$batch" "$k" \
      "$(field dense_ms "$o")" "$(field meprop_ms "$o")" "$(field ratio "$o")" \
      "$(field dense_ms "$n")" "$(field meprop_ms "$n")" "$(field ratio "$n")")
    if [ "${MEPROP_BASELINE:-0}" = 1 ]; then
      b=$("$ldso" --glibc-hwcaps-mask x86-64-v2 "$new" "${args[@]}")
      line+=$(printf ' | %8.4f %8.4f (%6.2f)   ' "$(field dense_ms "$b")" "$(field meprop_ms "$b")" "$(field ratio "$b")")
    fi
    printf '%s | %.3f\n' "$line" "$(awk -v a="$(field ratio "$n")" -v b="$(field ratio "$o")" 'BEGIN {print a / b}')"
  done
done
