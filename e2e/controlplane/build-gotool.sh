#!/usr/bin/env bash
# Builds a Go command-line tool from the Go module proxy into a version-keyed cache outside the
# repo (next to kube-apiserver and helm). Skips the build when the binary is present. Prints the
# binary path on its last line.
#
#   build-gotool.sh toxiproxy   -> toxiproxy-server (github.com/Shopify/toxiproxy/v2, the TCP fault proxy)
#   build-gotool.sh vegeta      -> vegeta (github.com/tsenart/vegeta/v12, open-loop load generator)
#   build-gotool.sh ct          -> ct (github.com/helm/chart-testing/v3, `ct lint` of the chart); its
#                                  yamllint config and Chart.yaml schema are copied to etc/ next to it
#
# Versions are pinned here; bump them to a newer tag listed by
# `GOTOOLCHAIN=local go list -m -versions <module>`.
set -euo pipefail

TOOL="${1:?usage: build-gotool.sh toxiproxy|vegeta|ct}"
CACHE_ROOT="${KUBERNAUT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubernaut-intake}"
case "$TOOL" in
  toxiproxy)
    VERSION="${TOXIPROXY_VERSION:-v2.5.0}"
    PKG="github.com/Shopify/toxiproxy/v2/cmd/server"
    BIN="toxiproxy-server"
    LDFLAGS="-s -w -X github.com/Shopify/toxiproxy/v2.Version=${VERSION#v}"
    ;;
  vegeta)
    VERSION="${VEGETA_VERSION:-v12.13.0}"
    PKG="github.com/tsenart/vegeta/v12"
    BIN="vegeta"
    LDFLAGS="-s -w -X main.Version=$VERSION"
    ;;
  ct)
    VERSION="${CT_VERSION:-v3.14.0}"
    MODULE="github.com/helm/chart-testing/v3"
    PKG="$MODULE/ct"
    BIN="ct"
    LDFLAGS="-s -w -X $MODULE/ct/cmd.Version=$VERSION"
    # Built inside its downloaded module: `go install ct@version` needs the proxy's version list
    # (for deprecation notices), which the proxy refuses for this module. ct reads
    # etc/lintconf.yaml and etc/chart_schema.yaml at run time: they are copied from the module.
    FROM_MODULE="$MODULE@$VERSION"
    ;;
  *) echo "build-gotool.sh: unknown tool $TOOL" >&2; exit 2 ;;
esac

log() { echo "build-gotool.sh: $*" >&2; }
command -v go >/dev/null || { log "Go is required to build $TOOL"; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath GO111MODULE=on

OUT="$CACHE_ROOT/$TOOL-$VERSION"
if [[ -x "$OUT/$BIN" ]]; then
  echo "$OUT/$BIN"
  exit 0
fi
# One build at a time per cache entry: a second caller waits for the first, then finds the result.
mkdir -p "$CACHE_ROOT"
exec 9>"$OUT.lock"
flock 9
if [[ -x "$OUT/$BIN" ]]; then echo "$OUT/$BIN"; exit 0; fi
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/$TOOL-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
log "building $TOOL $VERSION into $OUT"
if [[ -z "${FROM_MODULE:-}" ]]; then
  GOBIN="$WORK/bin" go install -ldflags "$LDFLAGS" "$PKG@$VERSION" >&2
else
  dir="$(go mod download -json "$FROM_MODULE" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  [[ -d "$dir" ]] || { log "could not download $FROM_MODULE"; exit 1; }
  (cd "$dir" && go build -ldflags "$LDFLAGS" -o "$WORK/bin/$BIN" "$PKG") >&2
  if [[ -d "$dir/etc" ]]; then
    mkdir -p "$OUT/etc" && cp "$dir"/etc/*.yaml "$OUT/etc/" && chmod u+w "$OUT"/etc/*.yaml
  fi
fi
built="$(ls "$WORK/bin" | head -1)"
mv "$WORK/bin/$built" "$OUT/$BIN.tmp"
mv "$OUT/$BIN.tmp" "$OUT/$BIN"
log "done: $OUT/$BIN ($(du -h "$OUT/$BIN" | cut -f1))"
echo "$OUT/$BIN"
