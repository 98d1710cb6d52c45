#!/usr/bin/env bash
# Installs the Debian packages ivrgraph's run and test commands need, only those that are missing.
#   espeak-ng        offline text-to-speech (the voice the tests use)
#   sox, ffmpeg      audio checks and conversion to the formats Asterisk plays
#   chromium         the designer's end-to-end tests (driven by playwright-core, never a downloaded browser)
#   postgresql       persistence tests start a throw-away cluster when no server answers on 127.0.0.1:5432
#   nodejs, npm      building the designer
#   python3-venv     the project's virtual environment
set -euo pipefail

want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need espeak-ng espeak-ng
need sox sox
need ffmpeg ffmpeg
need chromium chromium
need node nodejs
need npm npm
[ -x /usr/lib/postgresql/*/bin/initdb ] 2>/dev/null || command -v pg_ctlcluster >/dev/null 2>&1 || want+=(postgresql)
python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3-venv)
dpkg -s libsox-fmt-all >/dev/null 2>&1 || want+=(libsox-fmt-all)

if [ ${#want[@]} -eq 0 ]; then
  exit 0
fi
echo "setup-system: installing ${want[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
