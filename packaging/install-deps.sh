#!/usr/bin/env bash
# Installs the Debian 12 packages meProp Workbench needs to build, test and run.
# Idempotent: only missing packages are installed. Run as root (or with sudo available).
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev zlib1g-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  qt6-base-dev qt6-charts-dev qt6-svg-dev libquazip1-qt6-dev libgl-dev
  libqt6opengl6-dev  # Qt6Charts' CMake package needs Qt6OpenGL's, which Debian ships apart
  libssl-dev xvfb xauth dataset-fashion-mnist
  libopenmpi-dev openmpi-bin  # meprop reproduce over MPI ranks (MEPROP_ENABLE_MPI)
  clang libomp-dev  # the libFuzzer targets (bench/fuzz.sh, the `fuzz` preset)
  qemu-user  # the CLI test on a CPU without AVX2 (cli_runs_on_a_cpu_without_avx2)
)
if [ "${MEPROP_WITH_TORCH:-0}" = 1 ]; then PKGS+=(python3-torch python3-numpy); fi
# bench/authors-code (the authors' C# program beside ours): never needed to build or test.
if [ "${MEPROP_WITH_MONO:-0}" = 1 ]; then PKGS+=(mono-devel libnewtonsoft-json-cil-dev python3-matplotlib); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
