#!/usr/bin/env bash
# The manual as a test: installs its tools (requirements/docs.txt, shared packages pinned by
# requirements/constraints.txt) into the project's venv ($PINETL_VENV) and builds the site with
# `mkdocs build --strict` into a temporary folder. Any warning fails it: a broken link or anchor,
# a page missing from the nav, a docstring or header the API references cannot read, an included
# file (libpinetl/SPEC.md, bench/README.md, README.md's sections) that is gone. Counts as one test.
# Sourced by tests/run.sh (uses PINETL_ROOT, PINETL_VENV, logs, passed, failed); run alone:
#   bash tests/docs/run.sh
if [ -z "${PINETL_ROOT:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/harness.sh"
  set +e
  passed=0 failed=0 skipped=0 logs=$(mktemp -d) PINETL_DOCS_ALONE=1
fi

echo "== Docs site (mkdocs build --strict)"
docs_log=$logs/docs.log
# Not -q: mkdocs counts the warnings that fail --strict only when they are logged.
if { [ -x "$PINETL_VENV/bin/python" ] || python3 -m venv "$PINETL_VENV"; } >"$docs_log" 2>&1 &&
   PIP_CONSTRAINT=$PINETL_ROOT/requirements/constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1 \
     "$PINETL_VENV/bin/pip" install -r "$PINETL_ROOT/requirements/docs.txt" >>"$docs_log" 2>&1 &&
   (cd "$PINETL_ROOT" && NO_MKDOCS_2_WARNING=1 "$PINETL_VENV/bin/mkdocs" build --strict \
     --site-dir "$logs/site") >>"$docs_log" 2>&1; then
  echo "docs: built"
  passed=$((passed + 1))
else
  tail -n 30 "$docs_log"
  echo "FAILED: docs site (log: $docs_log)"
  failed=$((failed + 1))
fi

if [ -n "${PINETL_DOCS_ALONE:-}" ]; then
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
fi
