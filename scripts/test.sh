#!/usr/bin/env bash
# Every test: static checks, the Python suite (SQLite and PostgreSQL), every example's scenario tests,
# and the designer's unit and end-to-end tests when the designer is present.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== ruff and mypy"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy graph_engine blocks schemas agi_server voice examples/plugins/ivrgraph-sms/ivrgraph_sms

echo "== scenario tests of the examples"
$BIN/ivrgraph validate examples/*.json >/dev/null
$BIN/ivrgraph test examples

echo "== pytest"
# One worker per core (pytest-xdist): tests share no port (tests/conftest.py free_port gives each worker its own
# range), no database (each makes its own) and no folder (each worker has its own tmp_path root).
$BIN/pytest -q -p no:cacheprovider -n auto

if [ -f designer_ui/ui.mk ]; then
  echo "== designer"
  make --no-print-directory ui-install ui-check ui-test
  bash scripts/ui-e2e.sh
fi
