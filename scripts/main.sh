#!/usr/bin/env bash
# The main job: set up (Debian packages), build the release preset, and characterise the built-in
# approximate multipliers (K1-K3 in detail) and the memory model.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
axtrain=build/release/tools/axtrain/axtrain

echo
echo "== Built-in multipliers =="
"$axtrain" hw list
for preset in K1 K2 K3; do
  echo
  echo "== $preset =="
  "$axtrain" hw show "$preset"
done
echo
echo "== NTV SRAM at 0.6 V (built-in BER curve) =="
"$axtrain" hw memory --voltage 0.6
