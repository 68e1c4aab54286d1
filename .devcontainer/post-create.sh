#!/usr/bin/env bash
# The dev container's postCreateCommand: install conclab's Debian 12 packages
# (ci/setup.sh) and build the grader once, so the first `make check` is quick.
#   --dry-run   check only: this is Debian 12 and every package ci/setup.sh
#               installs exists in its archive (tests/devcontainer_check.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

. /etc/os-release
if [ "${ID:-}" != debian ] || [ "${VERSION_ID:-}" != 12 ]; then
  echo "post-create: expected Debian 12, this is ${PRETTY_NAME:-unknown}" >&2
  exit 1
fi

if [ "${1:-}" = --dry-run ]; then
  # One apt-cache call (each reads the whole cache): a package with an
  # installable candidate is listed as "name:" then "  Candidate: <version>".
  # (apt-cache show exits 0 when any one of its packages exists: not enough.)
  available=$(apt-cache policy $(bash ci/setup.sh --list) 2>/dev/null |
    awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) } /^  Candidate:/ && $2 != "(none)" { print p }')
  missing=()
  for p in $(bash ci/setup.sh --list); do
    grep -qx -- "$p" <<< "$available" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "post-create: not in this system's package archive: ${missing[*]} (run apt-get update?)" >&2
    exit 1
  fi
  echo "post-create: Debian 12, all $(bash ci/setup.sh --list | wc -w) packages available"
  exit 0
fi

SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO bash ci/setup.sh
make build
