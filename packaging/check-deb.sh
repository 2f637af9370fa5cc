#!/usr/bin/env bash
# Checks a built package: both engine libraries are in it, and the installed meprop finds them:
# extracted into a temporary root (no installation), it runs natively (the x86-64-v3 library on a
# CPU with AVX2) and, with qemu-user, on a CPU without AVX2 (the baseline library).
#   packaging/check-deb.sh [PACKAGE.deb]    (default: the .deb in build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
deb="${1:-$(ls -t build/release/meprop-workbench_*.deb 2>/dev/null | head -1)}"
[ -f "$deb" ] || { echo "check-deb: no package (cmake --build build/release --target package)" >&2; exit 2; }
echo "check-deb: $deb"
listing=$(dpkg -c "$deb")
fail=0
for f in usr/lib/meprop-workbench/libmeprop_engine.so.0 usr/lib/meprop-workbench/glibc-hwcaps/x86-64-v3/libmeprop_engine.so.0 usr/bin/meprop; do
  if grep -q "\./$f\( \|$\)" <<<"$listing"; then echo "  has $f"; else echo "  MISSING $f"; fail=1; fi
done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"
echo "  native:          $("$root/usr/bin/meprop" --version)"
"$root/usr/bin/meprop" bench-linear --batch 2 --in 64 --out 64 --k 5 --reps 3 >/dev/null || fail=1
if command -v qemu-x86_64 >/dev/null; then
  out=$(qemu-x86_64 -cpu Nehalem "$root/usr/bin/meprop" --version 2>/dev/null) || fail=1
  echo "  -cpu Nehalem:    $out"
  grep -q "engine x86-64, $root/usr/bin/../lib/meprop-workbench/libmeprop_engine.so.0" <<<"$out" || { echo "  baseline library not picked"; fail=1; }
  qemu-x86_64 -cpu Nehalem "$root/usr/bin/meprop" bench-linear --batch 2 --in 64 --out 64 --k 5 --reps 3 >/dev/null 2>&1 || { echo "  bench-linear failed on -cpu Nehalem"; fail=1; }
else
  echo "  (qemu-x86_64 not installed: no check on a CPU without AVX2)"
fi
[ $fail -eq 0 ] && echo "check-deb: ok"
exit $fail
