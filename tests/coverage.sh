#!/usr/bin/env bash
# Branch coverage of libpinetl (libpinetl/src) by the C, CLI and fuzz-replay tests, with gcovr.
#   bash tests/coverage.sh [--min PERCENT] [--html DIR]
# Builds a debug build with coverage in build-cov, runs meson test there, prints gcovr's summary
# (lines and branches) and the per-file branch table. Exits 1 when branch coverage is under
# --min (default 90). Installs gcovr (Debian) when it is missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
min=90 html=
while [ $# -gt 0 ]; do
  case $1 in
    --min) min=$2; shift 2 ;;
    --html) html=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "coverage.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
source "$root/scripts/harness.sh"
pinetl_install_packages gcovr
dir=$root/build-cov
pinetl_build "$dir" -Dbuildtype=debug -Db_coverage=true
find "$dir" -name '*.gcda' -delete
meson test -C "$dir" --num-processes 2 --no-rebuild > "$dir/coverage-tests.log" 2>&1 ||
  { tail -n 20 "$dir/coverage-tests.log"; echo "coverage.sh: tests failed (see $dir/coverage-tests.log)" >&2; exit 1; }
cd "$root"
args=(--root "$root" --filter 'libpinetl/src/' --exclude-unreachable-branches --exclude-throw-branches
      --object-directory "$dir")
[ -z "$html" ] || { mkdir -p "$html"; gcovr "${args[@]}" --html-details "$html/index.html" > /dev/null; }
gcovr "${args[@]}" --branches --sort-percentage | tail -n +5 | head -n -3
summary=$(gcovr "${args[@]}" --print-summary -o /dev/null)
echo "$summary"
pct=$(sed -n 's/^branches: \([0-9.]*\)%.*/\1/p' <<< "$summary")
echo "libpinetl branch coverage: ${pct}% (minimum ${min}%)"
awk "BEGIN { exit !($pct >= $min) }"
