#!/usr/bin/env bash
# The test command: installs what the tests need (idempotent, cached outside the clone in
# $FLUX_GITOPS_CACHE, default ~/.cache/flux-gitops), builds, lints, and runs every layer:
# unit (plain Node), conformance (the model against the real flux CLI on ../shared/corpus), sops (the real sops binary), cluster (a real kube-apiserver + etcd),
# integration (inside a real VS Code extension host), UI (Playwright on the workbench), and
# packages the VSIX. Every layer runs even when an earlier one fails; the exit code is
# non-zero when any failed. The last line sums them up: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n=== %s [%(%H:%M:%S)T]\n' "$*" -1; }
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
failed_steps=()

# A setup or build step: must succeed for the tests after it to mean anything.
step() {
  local name="$1"
  shift
  log "$name"
  if ! "$@"; then
    echo "FAILED: $name" >&2
    failed_steps+=("$name")
    return 1
  fi
}

# A test layer: its output is kept to count passes and failures.
layer() {
  local name="$1"
  shift
  log "$name"
  local out
  out="$(mktemp)"
  "$@" 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]}
  local passed failed skipped
  # node:test prints "# pass N"; the harness prints "...: N passed, N failed, N skipped".
  passed=$(grep -E '^# pass [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+' || true)
  failed=$(grep -E '^# fail [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+' || true)
  skipped=$(grep -E '^# skipped [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+' || true)
  if [[ -z "$passed" ]]; then
    local line
    line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -1 || true)
    passed=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
    failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    skipped=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
  fi
  passed=${passed:-0} failed=${failed:-0} skipped=${skipped:-0}
  if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
  echo "$name $passed $failed $skipped $status" >>"$results"
  rm -f "$out"
  [[ $status -eq 0 ]] || failed_steps+=("$name")
}

step "install test tools (sops, etcd, kube-apiserver, age, the Flux controllers, the Git server, Flux CRDs)" bash test/env/install.sh
step "install code-server (the real VS Code) and chromium" bash test/harness/setup-code-server.sh
step "build (esbuild)" npm run --silent build
step "compile (tsc, strict)" npm run --silent compile-tests
step "lint (eslint + prettier)" npm run --silent lint

layer "unit" node scripts/run-node-tests.mjs out/test/unit
layer "sops" node scripts/run-node-tests.mjs out/test/sops
layer "conformance" node scripts/run-node-tests.mjs out/test/conformance
layer "cluster" node scripts/run-node-tests.mjs --test-concurrency=1 out/test/cluster
layer "integration" node test/harness/run-ext-tests.mjs
layer "ui" node test/harness/ui-tests.mjs
step "package (VSIX)" npm run --silent package

log "summary"
total_passed=0 total_failed=0 total_skipped=0
while read -r name passed failed skipped status; do
  printf '%-12s %4s passed %4s failed %4s skipped (exit %s)\n' "$name" "$passed" "$failed" "$skipped" "$status"
  total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed)) total_skipped=$((total_skipped + skipped))
done <"$results"
if ((${#failed_steps[@]})); then
  echo "failed: ${failed_steps[*]}"
  ((total_failed == 0)) && total_failed=${#failed_steps[@]}
fi
echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
((${#failed_steps[@]} == 0))
