#!/usr/bin/env bash
# Provides the real binaries and the Flux CRDs the cluster and sops tests need, in a cache folder
# outside the repository that survives between runs:
#
#   ${FLUX_GITOPS_CACHE:-$HOME/.cache/flux-gitops}/bin/{sops,etcd,kube-apiserver,age,age-keygen,flux}
#   ${FLUX_GITOPS_CACHE:-$HOME/.cache/flux-gitops}/crds/*.yaml   (one file per Flux CRD)
#
# Idempotent: each item has a stamp file keyed by its version (and by the wrapper module's files),
# so a second run is a quick no-op. Binaries found in $KUBEBUILDER_ASSETS or on PATH are used
# instead of building (they are linked into the cache's bin folder).
#
# Sources: Go modules through `go` (sops, etcd, kube-apiserver, the flux CLI, the Flux controllers'
# CRDs) and Debian packages through apt-get (age). Nothing else is downloaded.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${FLUX_GITOPS_CACHE:-$HOME/.cache/flux-gitops}"
BIN="$CACHE/bin"
STAMPS="$CACHE/stamps"
CRDS="$CACHE/crds"
LOGS="$CACHE/logs"

SOPS_VERSION="v3.13.2"
ETCD_VERSION="v3.6.16"  # must match test/env/go/etcd/go.mod
KUBE_VERSION="v1.34.4"  # must match test/env/go/kube-apiserver/go.mod
FLUX_VERSION="v2.7.3"
# The flux CLI whose `flux build kustomization` is the conformance oracle (test/env/flux-oracle.mjs).
FLUX_CLI_MODULE="github.com/fluxcd/flux2/v2"
FLUX_CLI_VERSION="v2.9.5"
# The controller versions Flux v2.7.3 ships (image tags of its gotk-components.yaml).
FLUX_CRD_MODULES=(
  "github.com/fluxcd/source-controller@v1.7.3"
  "github.com/fluxcd/kustomize-controller@v1.7.2"
  "github.com/fluxcd/helm-controller@v1.4.3"
  "github.com/fluxcd/notification-controller@v1.7.4"
)
# The Flux controllers that run against the test cluster (Flux v2.9.5's controller set), built from
# their Go modules; the test cluster installs these versions' CRDs (<cache>/crds/<module>@<version>/).
CONTROLLERS=(
  "source-controller v1.9.5"
  "kustomize-controller v1.9.5"
  "helm-controller v1.6.4"
)
# A dependency version a controller requires that the Go module proxy does not serve (403), and the
# nearest served patch release used instead. Listed, never guessed: a new refusal stops the build.
CONTROLLER_SUBSTITUTES=(
  "source-controller github.com/fluxcd/pkg/artifact v0.18.3 v0.18.1"
)
# Alert, Provider and Receiver: the notification-controller module is not served, its API module is;
# controller-gen generates the CRDs from the API types, as the controller's own Makefile does.
NOTIFICATION_API_MODULE="github.com/fluxcd/notification-controller/api"
NOTIFICATION_API_VERSION="v1.9.4"
CONTROLLER_TOOLS_VERSION="v0.23.0"
FLUX_OPERATOR_MODULE="github.com/controlplaneio-fluxcd/flux-operator"
FLUX_OPERATOR_VERSION="v0.58.1"
# The local Git server the cluster tests push to (wrapper module go/gitserver).
GITTESTSERVER_VERSION="v0.25.0" # must match test/env/go/gitserver/go.mod
GO_BUILD_FLAGS=(-p 2 -trimpath)
LDFLAGS="-s -w"
# kube-apiserver reports this version (/version, --version) instead of v0.0.0-master.
KUBE_MINOR="${KUBE_VERSION#v1.}"
KUBE_MINOR="${KUBE_MINOR%%.*}"
KUBE_LDFLAGS="$LDFLAGS -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
KUBE_LDFLAGS+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$KUBE_MINOR"
KUBE_LDFLAGS+=" -X k8s.io/component-base/version.gitTreeState=clean"
# No VCS stamping (the wrappers live inside this git repository); keep the user's other flags.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

mkdir -p "$BIN" "$STAMPS" "$CRDS" "$LOGS"

# One install at a time per cache folder (parallel test runs may share it).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.install.lock"
  flock 9
fi

log() { printf '[test/env] %s\n' "$*" >&2; }
die() { printf '[test/env] ERROR: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH"

# Content hash of a wrapper module's files and link flags, so editing them triggers a rebuild.
module_hash() { { cat "$1"/go.mod "$1"/go.sum "$1"/main.go; printf '%s' "$2"; } | sha256sum | cut -c1-16; }

# Prints the path of a binary provided from outside (KUBEBUILDER_ASSETS first, then PATH),
# ignoring the cache's own bin folder.
external_binary() {
  local name="$1" p
  if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/$name" ]]; then
    printf '%s\n' "$KUBEBUILDER_ASSETS/$name"
    return 0
  fi
  p="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -)" command -v "$name" 2>/dev/null || true)"
  if [[ -n "$p" && -x "$p" ]]; then
    printf '%s\n' "$p"
    return 0
  fi
  return 1
}

link_external() {
  local name="$1" src="$2"
  if [[ "$(readlink "$BIN/$name" 2>/dev/null || true)" != "$src" ]]; then
    ln -sfn "$src" "$BIN/$name"
  fi
}

# Builds a wrapper module (test/env/go/<name>) into $BIN/<name>.
build_wrapper() {
  local name="$1" version="$2" ldflags="$3" dir="$HERE/go/$1" stamp hash start
  hash="$(module_hash "$dir" "$ldflags")"
  stamp="$STAMPS/$name-$version-$hash"
  if [[ -f "$stamp" && -x "$BIN/$name" && ! -L "$BIN/$name" ]]; then
    return 0
  fi
  log "building $name $version from the Go module proxy (log: $LOGS/$name-build.log) ..."
  start=$SECONDS
  rm -f "$STAMPS/$name-"*
  if ! (cd "$dir" && go build "${GO_BUILD_FLAGS[@]}" -ldflags "$ldflags" -o "$BIN/.$name.tmp" .) >"$LOGS/$name-build.log" 2>&1; then
    rm -f "$BIN/.$name.tmp"
    tail -n 30 "$LOGS/$name-build.log" >&2
    return 1
  fi
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  touch "$stamp"
  log "built $name in $((SECONDS - start)) s"
}

# --- sops -------------------------------------------------------------------------------------
provide_sops() {
  local ext stamp="$STAMPS/sops-$SOPS_VERSION"
  if ext="$(external_binary sops)" && SOPS_DISABLE_VERSION_CHECK=1 "$ext" --version --disable-version-check 2>/dev/null | grep -q "sops ${SOPS_VERSION#v}"; then
    link_external sops "$ext"
    return 0
  fi
  if [[ -f "$stamp" && -x "$BIN/sops" && ! -L "$BIN/sops" ]]; then
    return 0
  fi
  log "building sops $SOPS_VERSION with go install (log: $LOGS/sops-build.log) ..."
  local start=$SECONDS
  rm -f "$BIN/sops"
  if ! GOBIN="$BIN" go install "${GO_BUILD_FLAGS[@]}" -ldflags "$LDFLAGS" \
    "github.com/getsops/sops/v3/cmd/sops@$SOPS_VERSION" >"$LOGS/sops-build.log" 2>&1; then
    tail -n 30 "$LOGS/sops-build.log" >&2
    die "go install of sops $SOPS_VERSION failed"
  fi
  touch "$stamp"
  log "built sops in $((SECONDS - start)) s"
}

# --- etcd -------------------------------------------------------------------------------------
provide_etcd() {
  local ext
  if ext="$(external_binary etcd)"; then
    link_external etcd "$ext"
    return 0
  fi
  if [[ -L "$BIN/etcd" ]]; then rm -f "$BIN/etcd"; fi
  if build_wrapper etcd "$ETCD_VERSION" "$LDFLAGS"; then
    return 0
  fi
  # Next route: Debian's etcd-server package.
  log "etcd wrapper build failed; falling back to Debian's etcd-server"
  apt_install etcd-server
  ext="$(external_binary etcd)" || die "etcd-server installed but no etcd on PATH"
  link_external etcd "$ext"
}

# --- kube-apiserver ---------------------------------------------------------------------------
provide_kube_apiserver() {
  local ext
  if ext="$(external_binary kube-apiserver)"; then
    link_external kube-apiserver "$ext"
    return 0
  fi
  if [[ -L "$BIN/kube-apiserver" ]]; then rm -f "$BIN/kube-apiserver"; fi
  build_wrapper kube-apiserver "$KUBE_VERSION" "$KUBE_LDFLAGS" || die "kube-apiserver build failed (see $LOGS/kube-apiserver-build.log)"
}

# --- age --------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not available to install $*"
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then sudo=(sudo -n); fi
  if [[ $APT_UPDATED == 0 ]]; then
    log "apt-get update ..."
    "${sudo[@]}" apt-get update -qq >"$LOGS/apt.log" 2>&1 || true
    APT_UPDATED=1
  fi
  log "apt-get install $* ..."
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >>"$LOGS/apt.log" 2>&1 \
    || { tail -n 20 "$LOGS/apt.log" >&2; die "apt-get install $* failed"; }
}

provide_age() {
  local a k
  if ! external_binary age >/dev/null || ! external_binary age-keygen >/dev/null; then
    apt_install age
  fi
  a="$(external_binary age)" || die "age not found after install"
  k="$(external_binary age-keygen)" || die "age-keygen not found after install"
  link_external age "$a"
  link_external age-keygen "$k"
}

# --- Flux CRDs --------------------------------------------------------------------------------
# notification-controller is optional: the Go module proxy answers 403 ("This module version is
# not available") for every version of github.com/fluxcd/notification-controller, so its CRDs
# (Alert, Provider, Receiver) cannot be had from there. A failure is reported, not fatal.
provide_crds() {
  local stamp="$STAMPS/crds-$FLUX_VERSION" mod dir json count missing=()
  if [[ -f "$stamp" ]] && compgen -G "$CRDS/*.yaml" >/dev/null; then
    return 0
  fi
  log "downloading the Flux $FLUX_VERSION CRDs (go mod download) ..."
  rm -f "$CRDS"/*.yaml "$CRDS/MISSING.txt"
  for mod in "${FLUX_CRD_MODULES[@]}"; do
    if ! json="$(cd "$CACHE" && go mod download -json "$mod" 2>&1)"; then
      if [[ "$mod" == github.com/fluxcd/notification-controller@* ]]; then
        log "WARNING: $mod is not served by the Go module proxy; its CRDs are missing"
        printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' >&2
        missing+=("$mod")
        continue
      fi
      printf '%s\n' "$json" >&2
      die "go mod download $mod failed"
    fi
    dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
    [[ -n "$dir" && -d "$dir/config/crd/bases" ]] || die "$mod has no config/crd/bases (Dir='$dir')"
    cp "$dir"/config/crd/bases/*.yaml "$CRDS/"
  done
  chmod u+w "$CRDS"/*.yaml
  count="$(find "$CRDS" -maxdepth 1 -name '*.yaml' | wc -l)"
  [[ "$count" -gt 0 ]] || die "no CRDs copied"
  if [[ ${#missing[@]} -gt 0 ]]; then printf '%s\n' "${missing[@]}" >"$CRDS/MISSING.txt"; fi
  touch "$stamp"
  log "copied $count CRDs to $CRDS"
}

# --- Go module helpers ------------------------------------------------------------------------
# Prints the folder `go mod download` unpacked module@version into.
module_dir() {
  local json dir
  if ! json="$(cd "$CACHE" && go mod download -json "$1" 2>&1)"; then
    printf '%s\n' "$json" >&2
    return 1
  fi
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
  [[ -n "$dir" && -d "$dir" ]] || { printf '%s\n' "$json" >&2; return 1; }
  printf '%s\n' "$dir"
}

# --- Flux controllers -------------------------------------------------------------------------
# Each controller's go.mod replaces its own API module by ./api, which is a module of its own and
# not part of the controller's module download. The build runs in a copy of the module with exactly
# that replace line removed, so the API module of the same version comes from the proxy. Any other
# replace to a local path stops the build rather than being dropped silently.
provide_controller() {
  local name="$1" version="$2" module="github.com/fluxcd/$1" src="$CACHE/src/$1-$2" dir stamp start
  local subs=() entry parts
  for entry in "${CONTROLLER_SUBSTITUTES[@]}"; do
    read -r -a parts <<<"$entry"
    if [[ "${parts[0]}" == "$name" ]]; then subs+=("${parts[1]} ${parts[2]} ${parts[3]}"); fi
  done
  stamp="$STAMPS/$name-$version-$(printf '%s\n' "${subs[@]}" "$LDFLAGS" | sha256sum | cut -c1-16)"
  if [[ -f "$stamp" && -x "$BIN/$name" ]]; then
    return 0
  fi
  log "building $name $version from the Go module proxy (log: $LOGS/$name-build.log) ..."
  start=$SECONDS
  rm -f "$BIN/$name" "$STAMPS/$name-"*
  dir="$(module_dir "$module@$version")" || die "go mod download $module@$version failed"
  rm -rf "$src"
  mkdir -p "$CACHE/src"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  grep -qxF "replace $module/api => ./api" "$src/go.mod" \
    || die "$module@$version: go.mod has no 'replace $module/api => ./api' line; provide_controller must be adapted"
  sed -i "\\#^replace $module/api => \\./api\$#d" "$src/go.mod"
  if grep -Eq '=>[[:space:]]*\.{1,2}/' "$src/go.mod"; then
    die "$module@$version replaces another module by a local path; provide_controller must be adapted"
  fi
  (
    set -e
    printf 'go.mod: removed "replace %s/api => ./api"\n' "$module"
    # The API module is now required from the proxy: record its checksums in go.sum.
    (cd "$src" && go mod download "$module/api")
    for entry in "${subs[@]}"; do
      read -r -a parts <<<"$entry"
      printf 'go.mod: %s %s is not served; using %s\n' "${parts[0]}" "${parts[1]}" "${parts[2]}"
      grep -Eq "^[[:space:]]*${parts[0]} ${parts[1]}([[:space:]]|\$)" "$src/go.mod" \
        || { printf '%s does not require %s %s (any more): update CONTROLLER_SUBSTITUTES\n' "$name" "${parts[0]}" "${parts[1]}"; exit 1; }
      (cd "$src" && go mod edit -replace "${parts[0]}=${parts[0]}@${parts[2]}" && go mod download "${parts[0]}")
    done
    cd "$src" && go build "${GO_BUILD_FLAGS[@]}" -ldflags "$LDFLAGS" -o "$BIN/.$name.tmp" .
  ) >"$LOGS/$name-build.log" 2>&1 || {
    rm -f "$BIN/.$name.tmp"
    tail -n 30 "$LOGS/$name-build.log" >&2
    die "$name $version build failed (see $LOGS/$name-build.log)"
  }
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  printf '%s %s\n' "$name" "$version" >"$stamp"
  log "built $name in $((SECONDS - start)) s"
}

# --- CRDs the test cluster installs -----------------------------------------------------------
# One folder per source, <cache>/crds/<module>@<version>/, beside the top-level Flux v2.7.3 files
# that the editor schemas are generated from (scripts/gen-schemas.mjs reads only the top level).
provide_cluster_crds() {
  local entry name version dir target stamp start gen
  stamp="$STAMPS/cluster-crds-$(printf '%s\n' "${CONTROLLERS[@]}" "$NOTIFICATION_API_VERSION" "$CONTROLLER_TOOLS_VERSION" "$FLUX_OPERATOR_VERSION" | sha256sum | cut -c1-16)"
  if [[ -f "$stamp" ]]; then
    return 0
  fi
  start=$SECONDS
  rm -f "$STAMPS/cluster-crds-"*
  for entry in "${CONTROLLERS[@]}"; do
    read -r name version <<<"$entry"
    dir="$(module_dir "github.com/fluxcd/$name@$version")" || die "go mod download github.com/fluxcd/$name@$version failed"
    target="$CRDS/$name@$version"
    rm -rf "$target" && mkdir -p "$target"
    cp "$dir"/config/crd/bases/*.yaml "$target/"
    chmod u+w "$target"/*.yaml
  done
  # Notification CRDs: controller-gen over the API module's types (a copy, the module cache is read-only).
  gen="$CACHE/src/notification-api-$NOTIFICATION_API_VERSION"
  dir="$(module_dir "$NOTIFICATION_API_MODULE@$NOTIFICATION_API_VERSION")" || die "go mod download $NOTIFICATION_API_MODULE failed"
  rm -rf "$gen" && mkdir -p "$CACHE/src" && cp -R "$dir" "$gen" && chmod -R u+w "$gen"
  if [[ ! -x "$BIN/controller-gen" || ! -f "$STAMPS/controller-gen-$CONTROLLER_TOOLS_VERSION" ]]; then
    log "building controller-gen $CONTROLLER_TOOLS_VERSION (log: $LOGS/controller-gen-build.log) ..."
    rm -f "$STAMPS/controller-gen-"*
    GOBIN="$BIN" go install "${GO_BUILD_FLAGS[@]}" -ldflags "$LDFLAGS" \
      "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION" >"$LOGS/controller-gen-build.log" 2>&1 \
      || { tail -n 30 "$LOGS/controller-gen-build.log" >&2; die "controller-gen build failed"; }
    touch "$STAMPS/controller-gen-$CONTROLLER_TOOLS_VERSION"
  fi
  target="$CRDS/notification-controller-api@$NOTIFICATION_API_VERSION"
  rm -rf "$target" && mkdir -p "$target"
  (cd "$gen" && "$BIN/controller-gen" crd paths=./... output:crd:artifacts:config="$target") >"$LOGS/notification-crds.log" 2>&1 \
    || { tail -n 30 "$LOGS/notification-crds.log" >&2; die "controller-gen over $NOTIFICATION_API_MODULE@$NOTIFICATION_API_VERSION failed"; }
  dir="$(module_dir "$FLUX_OPERATOR_MODULE@$FLUX_OPERATOR_VERSION")" || die "go mod download $FLUX_OPERATOR_MODULE failed"
  target="$CRDS/flux-operator@$FLUX_OPERATOR_VERSION"
  rm -rf "$target" && mkdir -p "$target"
  cp "$dir"/config/crd/bases/*.yaml "$target/"
  chmod u+w "$target"/*.yaml
  touch "$stamp"
  log "cluster CRDs in $CRDS/*@*/ ($(find "$CRDS" -mindepth 2 -name '*.yaml' | wc -l) files) in $((SECONDS - start)) s"
}

# --- flux CLI ---------------------------------------------------------------------------------
# `go install .../cmd/flux@version` is refused: flux2's go.mod carries a replace directive (a CVE pin,
# gopkg.in/yaml.v3 => gopkg.in/yaml.v3 v3.0.1). It points at a published version, and `go build`
# inside a copy of the module honours it, so the copy is built as the main module, replace kept.
# A replace to a local path could not be honoured that way; none exists, and one appearing with a
# version bump stops the build instead of being silently dropped.
# cmd/flux embeds manifests/*.yaml, which flux2's release process generates (it is not in the
# module); only `flux install` and `bootstrap` read it, so a placeholder satisfies the go:embed.
provide_flux() {
  local stamp="$STAMPS/flux-$FLUX_CLI_VERSION" src="$CACHE/src/flux2-$FLUX_CLI_VERSION" ext json dir start
  if ext="$(external_binary flux)" && "$ext" version --client 2>/dev/null | grep -qx "flux: $FLUX_CLI_VERSION"; then
    link_external flux "$ext"
    return 0
  fi
  if [[ -f "$stamp" && -x "$BIN/flux" && ! -L "$BIN/flux" ]]; then
    return 0
  fi
  log "building flux $FLUX_CLI_VERSION from the Go module proxy (log: $LOGS/flux-build.log) ..."
  start=$SECONDS
  rm -f "$BIN/flux" "$STAMPS/flux-"*
  if ! json="$(cd "$CACHE" && go mod download -json "$FLUX_CLI_MODULE@$FLUX_CLI_VERSION" 2>&1)"; then
    printf '%s\n' "$json" >&2
    die "go mod download $FLUX_CLI_MODULE@$FLUX_CLI_VERSION failed"
  fi
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
  [[ -n "$dir" && -f "$dir/go.mod" ]] || die "$FLUX_CLI_MODULE@$FLUX_CLI_VERSION has no go.mod (Dir='$dir')"
  if grep -Eq '=>[[:space:]]*\.{1,2}/' "$dir/go.mod"; then
    die "$FLUX_CLI_MODULE@$FLUX_CLI_VERSION replaces a module by a local path; provide_flux must be adapted"
  fi
  rm -rf "$src"
  mkdir -p "$CACHE/src"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  mkdir -p "$src/cmd/flux/manifests"
  printf '# placeholder: flux install/bootstrap manifests are not built here\n' >"$src/cmd/flux/manifests/placeholder.yaml"
  if ! (cd "$src" && go build "${GO_BUILD_FLAGS[@]}" -ldflags "$LDFLAGS -X main.VERSION=${FLUX_CLI_VERSION#v}" \
    -o "$BIN/.flux.tmp" ./cmd/flux) >"$LOGS/flux-build.log" 2>&1; then
    rm -f "$BIN/.flux.tmp"
    tail -n 30 "$LOGS/flux-build.log" >&2
    die "flux $FLUX_CLI_VERSION build failed (see $LOGS/flux-build.log)"
  fi
  mv -f "$BIN/.flux.tmp" "$BIN/flux"
  touch "$stamp"
  log "built flux in $((SECONDS - start)) s"
}

provide_crds
provide_age
provide_sops
provide_etcd
provide_kube_apiserver
provide_flux
provide_cluster_crds
for entry in "${CONTROLLERS[@]}"; do
  read -r name version <<<"$entry"
  provide_controller "$name" "$version"
done
build_wrapper gitserver "$GITTESTSERVER_VERSION" "$LDFLAGS" || die "gitserver build failed (see $LOGS/gitserver-build.log)"

version_of() {
  case "$1" in
    sops) SOPS_DISABLE_VERSION_CHECK=1 "$2" --version --disable-version-check 2>/dev/null | head -n 1 ;;
    etcd) "$2" --version 2>/dev/null | head -n 1 ;;
    kube-apiserver) "$2" --version 2>/dev/null | head -n 1 ;;
    age | age-keygen) "$2" --version 2>/dev/null | head -n 1 ;;
    flux) "$2" version --client 2>/dev/null | head -n 1 ;;
  esac
}

for name in sops etcd kube-apiserver age age-keygen flux; do
  target="$BIN/$name"
  where="$target"
  if [[ -L "$target" ]]; then where="$target -> $(readlink "$target")"; fi
  printf '%-15s %s (%s)\n' "$name" "$where" "$(version_of "$name" "$target" || true)"
done
for entry in "${CONTROLLERS[@]}"; do
  read -r name version <<<"$entry"
  printf '%-20s %s (%s)\n' "$name" "$BIN/$name" "$version"
done
printf '%-20s %s (gittestserver %s)\n' gitserver "$BIN/gitserver" "$GITTESTSERVER_VERSION"
printf '%-15s %s (%s files; the test cluster installs %s files from its */ folders)\n' "crds" "$CRDS" \
  "$(find "$CRDS" -maxdepth 1 -name '*.yaml' | wc -l)" "$(find "$CRDS" -mindepth 2 -name '*.yaml' | wc -l)"
