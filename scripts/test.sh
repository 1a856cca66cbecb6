#!/usr/bin/env bash
# The whole test suite: set up (Debian packages); build optimised with warnings as errors, AddressSanitizer and
# UndefinedBehaviorSanitizer (the `ci` preset) and run every test under the sanitizers; check the house style
# (clang-format, clang-tidy); fuzz every parser briefly (libFuzzer, also under ASan and UBSan).
# One sanitized optimised build instead of a plain one plus an -O0 one: the -O0 build and its run took longer
# than CI allows (the `debug` preset stays for debugging).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
jobs=$(nproc)

echo "== ci preset: RelWithDebInfo, warnings as errors, ASan + UBSan =="
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"

echo "== style: clang-format and clang-tidy (scripts/check_style.sh) =="
bash scripts/check_style.sh build/ci

echo "== fuzz: every parser, 20,000 libFuzzer executions each (scripts/fuzz.sh, fuzz/README.md) =="
bash scripts/fuzz.sh 20000
