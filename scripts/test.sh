#!/usr/bin/env bash
# Every test: static checks, the Python suite (SQLite and PostgreSQL), every example's scenario tests,
# and the designer's unit and end-to-end tests when the designer is present.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Each phase says when it starts, counted from the start of this script: CI is held to well under 30 minutes on two
# cores, and the log then says which phase the minutes went to.
phase() { echo "== $1 (at $((SECONDS / 60))m$((SECONDS % 60))s)"; }

phase "ruff and mypy"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy graph_engine blocks schemas agi_server voice examples/plugins/ivrgraph-sms/ivrgraph_sms

phase "scenario tests of the examples"
$BIN/ivrgraph validate examples/*.json >/dev/null
$BIN/ivrgraph test examples

designer=false
[ -f designer_ui/ui.mk ] && designer=true
if $designer; then
  phase "designer end-to-end, beside pytest"
  # The end-to-end run mostly waits on Chromium and its server (a minute of CPU in four), and the Python suite
  # leaves a core idle about half the time, so the two run together: ~4 minutes off CI, which is held to well under
  # 30 minutes on two cores. Its ports come from a range no pytest worker draws from (tests/conftest.py free_port);
  # its output is shown when it ends, not mixed into pytest's.
  e2e_log=$(mktemp)
  IVRGRAPH_TEST_PORTS=beside-pytest bash scripts/ui-e2e.sh >"$e2e_log" 2>&1 &
  e2e=$!
  trap 'kill $e2e 2>/dev/null || true' EXIT
fi

phase "pytest"
# One worker per core (pytest-xdist): tests share no port (tests/conftest.py free_port gives each worker its own
# range), no database (each makes its own) and no folder (each worker has its own tmp_path root).
status=0
$BIN/pytest -q -p no:cacheprovider -n auto --durations=20 --ignore=tests/api/test_openapi_fuzz.py || status=$?

if $designer; then
  e2e_status=0
  wait $e2e || e2e_status=$?
  trap - EXIT
  phase "designer end-to-end: its output (exit $e2e_status)"
  cat "$e2e_log"
  rm -f "$e2e_log"
  [ $status -ne 0 ] || status=$e2e_status
fi
[ $status -eq 0 ] || exit $status

phase "pytest: the OpenAPI fuzz, in a process of its own"
# Run alone it passes; after other tests in the same worker it twice met failures and fuzzed requests answered late
# enough to time out while hypothesis shrank them (CI of 65a36a0 and 074a1a9; cause not found yet), so it gets a
# process and the machine to itself until that is understood.
$BIN/pytest -q -p no:cacheprovider -n auto tests/api/test_openapi_fuzz.py

if $designer; then
  phase "designer"
  make --no-print-directory ui-install ui-check ui-test
fi
phase "done"
