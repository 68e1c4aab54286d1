#!/usr/bin/env bash
# Installs every Debian 12 package conclab needs. Idempotent: does nothing when
# all are present. As root it installs; otherwise it prints the exact command.
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config make git
  googletest                 # GoogleTest *sources* (/usr/src/googletest), built per sanitizer
  libboost-dev libboost-filesystem-dev   # Boost.Process (v1, header-only) + filesystem
  libyaml-cpp-dev nlohmann-json3-dev libre2-dev libcli11-dev libsqlite3-dev
  libsodium-dev              # MACs of the result channel (docs/security.md)
  bubblewrap                 # the sandbox
  util-linux                 # setarch
  binutils                   # nm, objdump, readelf: symbol scans and the object check
  libxml2-utils              # xmllint, validates JUnit output in the tests
  sqlite3                    # the gradebook check in `make test` reads gradebook.sqlite
  slurm-wlm munge            # tests/slurm: a real one-node Slurm cluster (batch --backend slurm)
  chromium                   # tests/html_check.sh renders the HTML reports headless
  fonts-wqy-microhei         # CJK glyphs (README.zh.md, Chinese text in reports) instead of empty boxes
)

# --list: the package names, one a line (.devcontainer/post-create.sh checks them)
if [ "${1:-}" = --list ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  [[ $p == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "conclab needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "ci/setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
