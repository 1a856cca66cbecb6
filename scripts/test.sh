#!/usr/bin/env bash
# The whole test suite: set up (Debian packages), build with warnings as errors and run every test, check the
# house style (clang-format, clang-tidy), fuzz every parser briefly (libFuzzer), then build with
# AddressSanitizer + UndefinedBehaviorSanitizer and run every test again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
jobs=$(nproc)

echo "== ci preset: RelWithDebInfo, warnings as errors =="
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"

echo "== style: clang-format and clang-tidy (scripts/check_style.sh) =="
bash scripts/check_style.sh build/ci

echo "== fuzz: every parser, 20,000 libFuzzer executions each (scripts/fuzz.sh, fuzz/README.md) =="
bash scripts/fuzz.sh 20000

echo "== debug preset: AddressSanitizer + UndefinedBehaviorSanitizer =="
cmake --preset debug >/dev/null
cmake --build --preset debug -j "$jobs"
# Tests labelled `slow` train on real data: run once above, too slow to repeat under the sanitizers.
ctest --preset debug -j "$jobs" -LE slow
