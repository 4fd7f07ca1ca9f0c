#!/usr/bin/env bash
# The README's first command as a test: runs `bash examples/pipeline.sh DIR` as a user does (it
# installs, builds, starts pinetl serve on loopback, posts, drains, runs the daily chain) and
# checks what a person sees: every step done, a short account whose numbers are the run's own
# (the emulator's, pinetl stream's and the daily chain's JSON files), three short insights, and
# the paths of the nine insights (all nine in the file) and the report. Then a usage error.
# Counts as two tests. Sourced by tests/run.sh (uses PINETL_ROOT, PINETL_VENV, logs, passed,
# failed); run alone:
#   bash tests/examples/run.sh
if [ -z "${PINETL_ROOT:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/harness.sh"
  set +e
  passed=0 failed=0 skipped=0 logs=$(mktemp -d) PINETL_EXAMPLES_ALONE=1
fi

echo "== The main command (examples/pipeline.sh)"
ex_dir=$(mktemp -d)
ex_out=$logs/pipeline.out
if bash "$PINETL_ROOT/examples/pipeline.sh" "$ex_dir/run" >"$ex_out" 2>"$logs/pipeline.err" &&
   "$PINETL_VENV/bin/python" "$PINETL_ROOT/tests/examples/check_pipeline_output.py" \
     "$ex_out" "$ex_dir/run" "$PINETL_ROOT/build/libpinetl/cli/pinetl"; then
  echo "pipeline.sh: output checked ($(wc -l < "$ex_out") lines)"
  passed=$((passed + 1))
else
  tail -n 40 "$ex_out" "$logs/pipeline.err"
  echo "FAILED: examples/pipeline.sh"
  failed=$((failed + 1))
fi
rm -rf "$ex_dir"

# A misspelt option is a usage error before anything runs.
if bash "$PINETL_ROOT/examples/pipeline.sh" --verbos >/dev/null 2>"$logs/pipeline-usage.err"; then
  echo "FAILED: examples/pipeline.sh --verbos exited 0"; failed=$((failed + 1))
elif grep -q "usage: bash examples/pipeline.sh \[--verbose\]" "$logs/pipeline-usage.err"; then
  passed=$((passed + 1))
else
  cat "$logs/pipeline-usage.err"; echo "FAILED: no usage line"; failed=$((failed + 1))
fi

if [ -n "${PINETL_EXAMPLES_ALONE:-}" ]; then
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
fi
