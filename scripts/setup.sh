#!/usr/bin/env bash
# Installs every build and run dependency of AxTrain from Debian 12 packages.
# Idempotent: when everything is present it prints nothing and exits 0 without touching apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  # tests: the house style (scripts/check_style.sh)
  clang-format clang-tidy
  # tests: libFuzzer targets of the parsers (scripts/fuzz.sh)
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  libeigen3-dev zlib1g-dev
  libdnnl-dev
  # libtorch runs its BLAS inside OpenMP threads: the pthread OpenBLAS oversubscribes (3-7x slower).
  libopenblas0-openmp libopenblas-openmp-dev
  libtorch-dev
  dataset-fashion-mnist
  # bench/pytorch_peer.py: the PyTorch peer timed in the same run (Debian's python3 and its torch)
  python3-torch
  # tests: report.html is opened in headless Chromium (tests/report/test_report_browser.cpp)
  chromium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "setup: missing packages: ${missing[*]}; run this script as root to install them" >&2
    exit 2
  fi
  as_root=(sudo)
fi
echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
