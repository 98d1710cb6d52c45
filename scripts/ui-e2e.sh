#!/usr/bin/env bash
# The designer's end-to-end suite in real Chromium against a real `ivrgraph serve` on a throw-away SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
work=$(mktemp -d)
# Two different ports below the ephemeral range, as the Python tests pick theirs (tests/conftest.py: free_port).
read -r port agi_port < <($BIN/python -c 'from tests.conftest import free_port; print(free_port(), free_port())')
export IVRGRAPH_DATABASE_URL="sqlite:///$work/e2e.sqlite3"
export IVRGRAPH_ADMIN_USER=e2e-admin IVRGRAPH_ADMIN_PASSWORD="e2e-$(date +%s)-secret"
export IVRGRAPH_MEDIA_ROOT="$work/media"
make --no-print-directory ui-build
# A copy is served: new-version.mjs, run last, replaces it by another release under an open tab.
cp -r designer_ui/dist "$work/dist"
export IVRGRAPH_DESIGNER_DIST="$work/dist"
$BIN/ivrgraph serve --host 127.0.0.1 --port "$port" --agi-port "$agi_port" --seed examples \
  >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  $BIN/python -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
    "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done
IVRGRAPH_URL="http://127.0.0.1:$port" IVRGRAPH_AGI_PORT="$agi_port" IVRGRAPH_E2E_USER="$IVRGRAPH_ADMIN_USER" \
  IVRGRAPH_E2E_PASSWORD="$IVRGRAPH_ADMIN_PASSWORD" npm --prefix designer_ui --no-fund --no-audit run e2e \
  || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
# The Data sources page against the real MariaDB on 127.0.0.1:3306 (it says so, and passes, when none answers).
IVRGRAPH_URL="http://127.0.0.1:$port" IVRGRAPH_E2E_USER="$IVRGRAPH_ADMIN_USER" IVRGRAPH_E2E_PASSWORD="$IVRGRAPH_ADMIN_PASSWORD" \
  node designer_ui/e2e/data-sources.mjs || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
# Typing into a block's form in Russian: right after a rename, a map's row added, mistyped variables named.
IVRGRAPH_URL="http://127.0.0.1:$port" IVRGRAPH_E2E_USER="$IVRGRAPH_ADMIN_USER" IVRGRAPH_E2E_PASSWORD="$IVRGRAPH_ADMIN_PASSWORD" \
  node designer_ui/e2e/block-form-typing.mjs || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
# Narrow screens (320 and 640 px) and the keyboard: no sideways scrolling, the top bar reachable, focus given back.
IVRGRAPH_URL="http://127.0.0.1:$port" IVRGRAPH_E2E_USER="$IVRGRAPH_ADMIN_USER" IVRGRAPH_E2E_PASSWORD="$IVRGRAPH_ADMIN_PASSWORD" \
  node designer_ui/e2e/reflow.mjs || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
# Call results in the scenario's words: the results editor, a campaign's answers and the register's answer filter.
IVRGRAPH_URL="http://127.0.0.1:$port" IVRGRAPH_AGI_PORT="$agi_port" IVRGRAPH_E2E_USER="$IVRGRAPH_ADMIN_USER" \
  IVRGRAPH_E2E_PASSWORD="$IVRGRAPH_ADMIN_PASSWORD" node designer_ui/e2e/result-labels.mjs \
  || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
# Dialling held for the whole database (a restored backup): said on the campaigns view and the Callbacks page, and
# resumed there by an admin after a question; a publisher may not.
IVRGRAPH_URL="http://127.0.0.1:$port" IVRGRAPH_E2E_USER="$IVRGRAPH_ADMIN_USER" IVRGRAPH_E2E_PASSWORD="$IVRGRAPH_ADMIN_PASSWORD" \
  node designer_ui/e2e/dialling-hold.mjs || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
# An upgrade under an open tab: a page of the release before says a new version is available, and Reload keeps the
# edit. Last, as it replaces the designer that server serves (and puts it back after).
IVRGRAPH_URL="http://127.0.0.1:$port" IVRGRAPH_E2E_USER="$IVRGRAPH_ADMIN_USER" IVRGRAPH_E2E_PASSWORD="$IVRGRAPH_ADMIN_PASSWORD" \
  IVRGRAPH_E2E_SERVED_DIST="$work/dist" node designer_ui/e2e/new-version.mjs || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
