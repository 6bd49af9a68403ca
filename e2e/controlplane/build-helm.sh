#!/usr/bin/env bash
# Builds the helm v3 CLI from the Go module proxy into a version-keyed cache outside the repo,
# next to the kube-apiserver that build.sh builds. Skips the build when the binary is present.
# Prints the binary path on its last line.
#
# HELM_VERSION pins the release (bump it to the newest v3 tag listed by
# `GOTOOLCHAIN=local go list -m -versions helm.sh/helm/v3`); HELM_VERSION=latest resolves it now.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
CACHE_ROOT="${KUBERNAUT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubernaut-intake}"

log() { echo "build-helm.sh: $*" >&2; }
command -v go >/dev/null || { log "Go is required to build helm"; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath GO111MODULE=on

if [[ "$HELM_VERSION" == latest ]]; then
  HELM_VERSION="$(go list -m -versions helm.sh/helm/v3 | tr ' ' '\n' | grep -E '^v3\.[0-9]+\.[0-9]+$' | sort -V | tail -1)"
  [[ -n "$HELM_VERSION" ]] || { log "could not list helm.sh/helm/v3 versions"; exit 1; }
fi

OUT="$CACHE_ROOT/helm-$HELM_VERSION"
if [[ -x "$OUT/helm" ]]; then
  echo "$OUT/helm"
  exit 0
fi

# One build at a time per cache entry: a second caller waits for the first, then finds the result.
mkdir -p "$CACHE_ROOT"
exec 9>"$OUT.lock"
flock 9
if [[ -x "$OUT/helm" ]]; then echo "$OUT/helm"; exit 0; fi
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/helm-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
log "building helm $HELM_VERSION into $OUT (first time takes minutes)"

helm_gomod="$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
[[ -f "$helm_gomod" ]] || { log "could not download helm.sh/helm/v3@$HELM_VERSION"; exit 1; }

# Same flags as helm's own Makefile: the version string, and the Kubernetes version helm assumes
# when there is no cluster (helm template/lint), one minor above the client-go it is built with.
client_go="$(awk '$1 == "k8s.io/client-go" {print $2; exit}' "$helm_gomod")"   # v0.37.0
k8s_minor="$(echo "$client_go" | cut -d. -f2)"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done

if ! grep -qE '^[[:space:]]*replace([[:space:]]|\()' "$helm_gomod"; then
  # No replace directives: go install builds exactly the dependency set helm.sh/helm/v3 pins.
  GOBIN="$WORK/bin" go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
else
  # go install refuses modules with replace directives: build from a throw-away module that
  # requires helm and carries its (module-path) replacements over.
  log "helm $HELM_VERSION has replace directives; building through a throw-away module"
  {
    echo "module kubernaut.local/helmbuild"
    echo
    grep -E '^go [0-9]' "$helm_gomod" | head -1
    echo
    echo "require helm.sh/helm/v3 $HELM_VERSION"
    echo
    # Replacements by a local path (=> ./x or => /x) cannot work outside helm's repository.
    awk '/^replace \(/ {block=1; next} block && /^\)/ {block=0; next}
         /=>[[:space:]]*[.\/]/ {next} block {print "replace " $0} /^replace [^(]/ {print}' "$helm_gomod"
  } > go.mod
  cat > tools.go <<'GO'
//go:build tools

package helmbuild

import _ "helm.sh/helm/v3/cmd/helm"
GO
  go mod tidy >&2
  go build -ldflags "$ldflags" -o "$WORK/bin/helm" helm.sh/helm/v3/cmd/helm
fi

mv "$WORK/bin/helm" "$OUT/helm.tmp"
mv "$OUT/helm.tmp" "$OUT/helm"
log "done: $("$OUT/helm" version --short 2>/dev/null || echo "$HELM_VERSION"), $(du -h "$OUT/helm" | cut -f1)"
echo "$OUT/helm"
