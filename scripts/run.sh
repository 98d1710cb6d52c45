#!/usr/bin/env bash
# Starts ivrgraph: the designer, the API and the FastAGI server on SQLite, with the examples loaded.
# Until the server lands, validates and simulates the examples.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
if $BIN/ivrgraph serve --help >/dev/null 2>&1; then
  [ -f designer_ui/ui.mk ] && make --no-print-directory ui-install ui-build
  exec $BIN/ivrgraph serve --host "${IVRGRAPH_HOST:-127.0.0.1}" --port "${IVRGRAPH_PORT:-8000}" \
    --agi-port "${IVRGRAPH_AGI_PORT:-4573}" --seed examples
fi
$BIN/ivrgraph validate examples/*.json
for f in examples/*.json; do
  case "$f" in *.tests.json) continue ;; esac
  echo "== $f"
  $BIN/ivrgraph simulate "$f" --keys 1
done
