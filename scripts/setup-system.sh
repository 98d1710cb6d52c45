#!/usr/bin/env bash
# Installs the Debian packages ivrgraph's run and test commands need, only those that are missing.
#   espeak-ng        offline text-to-speech (the voice the tests use)
#   sox, ffmpeg      audio checks and conversion to the formats Asterisk plays
#   chromium         the designer's end-to-end tests (driven by playwright-core, never a downloaded browser)
#   postgresql       persistence tests start a throw-away cluster when no server answers on 127.0.0.1:5432
#   nodejs, npm      building the designer: Node 20.19 or later (vite). Debian 13 has it; Debian 12 ships
#                    Node 18, so there it comes from NodeSource's Node 22 repository (nodejs with npm).
#   python3-venv     the project's virtual environment
set -euo pipefail

want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need espeak-ng espeak-ng
need sox sox
need ffmpeg ffmpeg
need chromium chromium
[ -x /usr/lib/postgresql/*/bin/initdb ] 2>/dev/null || command -v pg_ctlcluster >/dev/null 2>&1 || want+=(postgresql)
python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3-venv)
dpkg -s libsox-fmt-all >/dev/null 2>&1 || want+=(libsox-fmt-all)

# A version of Node good enough for the designer's build, here or as the candidate apt would install.
node_ok() { command -v node >/dev/null 2>&1 && version_ok "$(node --version)"; }
version_ok() { [[ "$1" =~ ^v?([0-9]+)\.([0-9]+) ]] && { (( BASH_REMATCH[1] > 20 )) || { (( BASH_REMATCH[1] == 20 )) && (( BASH_REMATCH[2] >= 19 )); }; }; }
nodesource=false
if ! node_ok; then
  if version_ok "$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')"; then
    want+=(nodejs npm)
  else
    nodesource=true
  fi
elif ! command -v npm >/dev/null 2>&1; then
  want+=(npm)
fi

if [ ${#want[@]} -eq 0 ] && ! $nodesource; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if $nodesource; then
  echo "setup-system: installing Node 22 from NodeSource (this Debian's nodejs is older than 20.19)"
  $SUDO apt-get install -y -qq --no-install-recommends ca-certificates curl gnupg >/dev/null
  $SUDO install -d -m 0755 /etc/apt/keyrings
  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | $SUDO gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
  echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_22.x nodistro main" \
    | $SUDO tee /etc/apt/sources.list.d/nodesource.list >/dev/null
  $SUDO apt-get update -qq
  want+=(nodejs)  # NodeSource's package carries npm
fi
echo "setup-system: installing ${want[*]}"
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
