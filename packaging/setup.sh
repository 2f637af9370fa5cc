#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or as a user with sudo):
#   packaging/setup.sh run    install what is missing, build, run the main job
#                             (the workbench; headless: the `image` preset, printing its results table)
#   packaging/setup.sh test   install what is missing, build, run the whole test suite
#   packaging/setup.sh build  install and build only
# Environment: MEPROP_PRESET (default release), MEPROP_JOBS (default: all cores),
# MEPROP_FUZZ_SECONDS (test: seconds per fuzz target after the tests, default 20, what CI runs; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."

action="${1:-run}"
preset="${MEPROP_PRESET:-release}"
jobs="${MEPROP_JOBS:-$(nproc)}"

bash packaging/install-deps.sh

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
bin="build/$preset"

case "$action" in
  build) ;;
  test)
    # Qt tests run on the offscreen platform; nothing needs a display.
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    ctest --preset "$preset" -j "$jobs"
    # The readers' libFuzzer targets, MEPROP_FUZZ_SECONDS each, two at a time (a second build with clang in
    # build/fuzz; see "Fuzzing" in README.md). MEPROP_FUZZ_SECONDS=0 skips it.
    fuzz_seconds="${MEPROP_FUZZ_SECONDS:-20}"
    if [ "$fuzz_seconds" -gt 0 ]; then
      MEPROP_FUZZ_JOBS="${MEPROP_FUZZ_JOBS:-2}" MEPROP_JOBS="$jobs" bash bench/fuzz.sh "$fuzz_seconds"
    fi
    ;;
  run)
    if [ -x "$bin/app/meprop-workbench" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
      exec "$bin/app/meprop-workbench" --preset image
    fi
    echo "setup: no display: running the default experiment headless (meprop train image)"
    exec "$bin/engine/meprop" train image
    ;;
  *) echo "usage: packaging/setup.sh run|test|build" >&2; exit 2 ;;
esac
