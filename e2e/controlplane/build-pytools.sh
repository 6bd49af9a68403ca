#!/usr/bin/env bash
# Installs the Python tools that `ct lint` runs (yamllint, yamale) into a version-keyed virtualenv
# in the tools cache, next to ct itself, so that neither root nor the system's Python packages are
# needed (Debian has no python3-yamale). Skips the install when present. Prints the bin directory
# on its last line; put it on PATH for ct.
#
# Versions: yamale as ct v3.14.0's own image pins it; yamllint the current release.
set -euo pipefail

YAMALE_VERSION="${YAMALE_VERSION:-6.0.0}"
YAMLLINT_VERSION="${YAMLLINT_VERSION:-1.37.1}"
CACHE_ROOT="${KUBERNAUT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubernaut-intake}"
OUT="$CACHE_ROOT/ct-python-yamale$YAMALE_VERSION-yamllint$YAMLLINT_VERSION"

log() { echo "build-pytools.sh: $*" >&2; }
# A virtualenv cannot be moved (its scripts name its path), so completion is marked by a file.
if [[ -f "$OUT/.complete" ]]; then
  echo "$OUT/bin"
  exit 0
fi
# One install at a time per cache entry: a second caller waits for the first, then finds it.
mkdir -p "$CACHE_ROOT"
exec 9>"$OUT.lock"
flock 9
if [[ -f "$OUT/.complete" ]]; then echo "$OUT/bin"; exit 0; fi
command -v python3 >/dev/null || { log "python3 is required for yamllint and yamale"; exit 1; }
log "installing yamale $YAMALE_VERSION and yamllint $YAMLLINT_VERSION into $OUT"
rm -rf "$OUT"
python3 -m venv "$OUT" >&2 || { log "python3 -m venv failed (Debian: apt-get install python3-venv)"; exit 1; }
"$OUT/bin/pip" install --quiet --disable-pip-version-check \
  "yamale==$YAMALE_VERSION" "yamllint==$YAMLLINT_VERSION" >&2
touch "$OUT/.complete"
echo "$OUT/bin"
