#!/usr/bin/env bash
# Installs code-server (the real VS Code server and web workbench) from the npm registry,
# Debian's chromium for driving the workbench headless, and ripgrep (VS Code's search).
# Nothing is downloaded from anywhere but npm and apt. Idempotent: a stamp makes the
# second run a quick no-op.
#
# Usage: setup-code-server.sh [VERSION]     (default 4.100.3 = VS Code 1.100.3, Node 20)
# Installs into $FLUX_GITOPS_CACHE/code-server-<VERSION> (default ~/.cache/flux-gitops), a
# folder outside the clone so CI and later runs reuse it. Prints that folder on stdout.
#
# Why not `npm install code-server` with scripts: its postinstall downloads ripgrep and
# prebuilt native modules from outside npm. So: --ignore-scripts, rg from apt, and the
# native modules rebuilt with node-gyp against the local node headers.
set -euo pipefail

VERSION="${1:-${CODE_SERVER_VERSION:-4.100.3}}"
CACHE="${FLUX_GITOPS_CACHE:-$HOME/.cache/flux-gitops}"
DIR="$CACHE/code-server-$VERSION"
CS="$DIR/node_modules/code-server"
VS="$CS/lib/vscode"
STAMP="$DIR/.setup-done"
log() { printf '[setup-code-server %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
started=$SECONDS

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  log "apt-get install ${missing[*]}"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  # Recommends bring fonts, so screenshots have readable text.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

apt_install chromium ripgrep libkrb5-dev make g++ python3

if [[ -f "$STAMP" ]] && node "$CS/out/node/entry.js" --version >/dev/null 2>&1; then
  log "code-server $VERSION already set up in $DIR"
  echo "$DIR"
  exit 0
fi

export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
mkdir -p "$DIR"
cd "$DIR"
[[ -f package.json ]] || echo '{ "name": "flux-gitops-code-server", "private": true }' > package.json

# node-gyp must compile against this node's headers, found on disk (offline).
nodedir=""
for candidate in "$(dirname "$(dirname "$(realpath "$(command -v node)")")")" /usr /usr/local; do
  header="$candidate/include/node/node_version.h"
  [[ -f "$header" ]] || continue
  version=$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/{printf "%s%s", sep, $3; sep="."}' "$header")
  if [[ "v$version" == "$(node --version)" ]]; then nodedir="$candidate"; break; fi
done
[[ -n "$nodedir" ]] || { echo "no node headers (include/node) on disk for $(node --version)" >&2; exit 1; }
export npm_config_nodedir="$nodedir"

log "npm install code-server@$VERSION (no install scripts)"
npm install --ignore-scripts --loglevel=error "code-server@$VERSION"

log "npm install VS Code's own dependencies"
(cd "$VS" && npm install --omit=dev --ignore-scripts --loglevel=error)
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"

mapfile -t natives < <(cd "$VS/node_modules" && for f in */binding.gyp @*/*/binding.gyp; do
  [[ -f "$f" ]] && dirname "$f"; done | grep -vE '^@vscode/windows-' | sort)
log "rebuild native modules: ${natives[*]}"
(cd "$VS" && npm rebuild --loglevel=error "${natives[@]}" >/dev/null)
ln -sfn node_modules "$VS/node_modules.asar"
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts --loglevel=error)
(cd "$VS/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$VS/bin/helpers" && ln -sfn browser-linux.sh browser.sh)
log "rebuild argon2 (loaded at start even with --auth none)"
npm rebuild --loglevel=error argon2 >/dev/null

(cd "$VS" && node -e '
  for (const m of process.argv.slice(1)) require(m);
  require("child_process").execFileSync(require("@vscode/ripgrep").rgPath, ["--version"]);
' "${natives[@]}" @vscode/ripgrep)
node "$CS/out/node/entry.js" --version >&2
touch "$STAMP"
log "done in $((SECONDS - started)) s"
echo "$DIR"
