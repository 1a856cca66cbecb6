#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer (fuzz/README.md): builds the `fuzz` preset (clang, ASan, UBSan), then runs
# each target from its seed corpus in fuzz/corpus/ for RUNS executions, $(nproc) targets at a time. New inputs
# go to build/fuzz/corpus/TARGET (the seeds stay as committed); a crash, leak, timeout (10 s) or allocation
# over 2 GiB leaves its input in build/fuzz/artifacts/ and fails the script.
#   bash scripts/fuzz.sh            # 20,000 executions per target: the short run of scripts/test.sh
#   bash scripts/fuzz.sh 1000000    # the long run
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20000}

cmake --preset fuzz >/dev/null
mkdir -p build/fuzz/artifacts build/fuzz/logs
cmake --build --preset fuzz -j "$(nproc)" > build/fuzz/logs/build.log 2>&1 ||
  { tail -40 build/fuzz/logs/build.log; echo "fuzz: the build failed (build/fuzz/logs/build.log)" >&2; exit 1; }

run_target() {
  local target=$1 runs=$2
  mkdir -p "build/fuzz/corpus/$target"
  if build/fuzz/fuzz/fuzz_"$target" "build/fuzz/corpus/$target" "fuzz/corpus/$target" -runs="$runs" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=2048 -artifact_prefix="build/fuzz/artifacts/$target-" \
      > "build/fuzz/logs/$target.log" 2>&1; then
    echo "fuzz $target: $(grep -E '^Done [0-9]+ runs' "build/fuzz/logs/$target.log") ($(grep -oE 'cov: [0-9]+' "build/fuzz/logs/$target.log" | tail -1))"
  else
    echo "fuzz $target: FAILED; build/fuzz/logs/$target.log says:"
    grep -E 'ERROR|SUMMARY|Test unit written|terminate|what\(\)' "build/fuzz/logs/$target.log" | head -8
    return 1
  fi
}
export -f run_target
targets=(table_file idx csv numpy config spec ber_curve histogram result_log zip_archive)
printf '%s\n' "${targets[@]}" | xargs -P "$(nproc)" -I{} bash -c "run_target {} $runs"
