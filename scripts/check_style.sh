#!/usr/bin/env bash
# House style, checked: every tracked C++ file is formatted as .clang-format says, and the sources of src/ and
# tools/ pass .clang-tidy (bugprone and performance groups). Needs a configured build folder for the compile
# commands (default build/ci). Prints only what is wrong; exits 1 if anything is.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}

mapfile -t files < <(git ls-files '*.cpp' '*.h')
unformatted=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if [ ${#unformatted[@]} -gt 0 ]; then
  echo "check_style: not formatted (run: clang-format -i FILE): ${unformatted[*]}" >&2
  exit 1
fi
echo "check_style: ${#files[@]} files formatted"

[ -f "$build/compile_commands.json" ] || { echo "check_style: $build/compile_commands.json is missing; configure the build first" >&2; exit 1; }
mapfile -t sources < <(git ls-files 'src/*.cpp' 'tools/*.cpp')
if ! run-clang-tidy -quiet -p "$build" -j "$(nproc)" "${sources[@]/#/$PWD/}" > "$build/clang-tidy.log" 2>&1; then
  grep -E "(warning|error):" "$build/clang-tidy.log" | sort -u >&2 || tail -20 "$build/clang-tidy.log" >&2
  echo "check_style: clang-tidy found problems (full log: $build/clang-tidy.log)" >&2
  exit 1
fi
echo "check_style: clang-tidy clean on ${#sources[@]} sources"
