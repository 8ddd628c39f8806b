#!/usr/bin/env bash
# The main job on a fresh machine: installs the npm packages, builds the extension, installs
# code-server (the real VS Code, from npm) and opens it with the extension on the sample
# Flux repository (samples/homelab, copied to a temporary folder). Open the printed URL in
# a browser; Ctrl-C stops everything. Options: --workspace DIR (another Flux repository, opened
# itself, not a copy: what you change there stays),
# --port N (default 8080), --live (the sample on real Flux: a real kube-apiserver, the Flux
# controllers and a local Git server that the copy's origin points at, so a push from Source
# Control is reconciled; builds the test binaries on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run --silent build
bash test/harness/setup-code-server.sh >/dev/null
if [[ " $* " == *" --live "* ]]; then
  bash test/env/install.sh >/dev/null
  npm run --silent compile-tests
fi
exec node test/harness/open-workbench.mjs "$@"
