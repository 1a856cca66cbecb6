#!/usr/bin/env bash
# The main job: set up (Debian packages), build the release preset, show the built-in multipliers, and run
# the paper's experiment in its quick profile (`axtrain reproduce --quick`, minutes on two cores). The table
# is printed; the folder runs/reproduce-quick holds results.json, results.csv and report.md/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
axtrain=build/release/tools/axtrain/axtrain

echo
echo "== Built-in multipliers =="
"$axtrain" hw list
echo
echo "== The paper's experiment, quick profile (resumes if runs/reproduce-quick exists) =="
start=$(date +%s)
"$axtrain" reproduce --quick --out runs/reproduce-quick
echo "reproduce --quick took $(( $(date +%s) - start )) s; report: runs/reproduce-quick/report.html"
