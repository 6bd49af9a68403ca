#!/usr/bin/env bash
# Builds a real kube-apiserver and the etcd it pins from the Go module proxy into a
# version-keyed cache outside the repo. Skips the build when the binaries are present.
# Prints the cache directory on its last line.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
CACHE_ROOT="${KUBERNAUT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubernaut-intake}"
OUT="$CACHE_ROOT/k8s-$K8S_VERSION"

if [[ -x "$OUT/kube-apiserver" && -x "$OUT/etcd" ]]; then
  echo "$OUT"
  exit 0
fi

# One build at a time per cache entry: a second caller waits for the first, then finds the result.
mkdir -p "$CACHE_ROOT"
exec 9>"$OUT.lock"
flock 9
if [[ -x "$OUT/kube-apiserver" && -x "$OUT/etcd" ]]; then echo "$OUT"; exit 0; fi
command -v go >/dev/null || { echo "build.sh: Go is required to build kube-apiserver" >&2; exit 1; }
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/k8s-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath GO111MODULE=on
minor_patch="${K8S_VERSION#v1.}"          # 36.3
staging_version="v0.$minor_patch"          # v0.36.3

log() { echo "build.sh: $*" >&2; }
log "building kube-apiserver $K8S_VERSION into $OUT (first time takes minutes)"

go mod init kubernaut.local/k8sbuild >/dev/null 2>&1
k8s_mod_dir="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
upstream_gomod="$k8s_mod_dir/go.mod"
[[ -f "$upstream_gomod" ]] || { log "could not download k8s.io/kubernetes@$K8S_VERSION"; exit 1; }

# Every staging module k8s.io/kubernetes lists at v0.0.0 must be replaced by its published tag.
{
  echo "module kubernaut.local/k8sbuild"
  echo
  grep -E '^go [0-9]' "$upstream_gomod" | head -1
  grep -E '^godebug' "$upstream_gomod" || true
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$upstream_gomod" | sort -u |
    while read -r m; do echo "replace $m => $m $staging_version"; done
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package k8sbuild

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
go mod tidy >&2

build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
major=1; minor="${minor_patch%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done
go build -ldflags "$ldflags" -o "$OUT/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "$OUT/kube-apiserver.tmp" "$OUT/kube-apiserver"

etcd_version="$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
log "building etcd $etcd_version (the version kube-apiserver $K8S_VERSION pins)"
mkdir etcd && cd etcd
go mod init kubernaut.local/etcdbuild >/dev/null 2>&1
cat > tools.go <<'GO'
//go:build tools

package etcdbuild

import _ "go.etcd.io/etcd/server/v3"
GO
go get "go.etcd.io/etcd/server/v3@$etcd_version" >&2
go mod tidy >&2
go build -ldflags "-s -w" -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3
mv "$OUT/etcd.tmp" "$OUT/etcd"
echo "$etcd_version" > "$OUT/etcd.version"
log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
echo "$OUT"
