#!/usr/bin/env bash
# .devcontainer/: a Debian 12 image, its postCreateCommand is the script that
# runs ci/setup.sh, and that script runs here (this machine is Debian 12) in
# --dry-run mode: every package ci/setup.sh installs exists in the archive.
#   tests/devcontainer_check.sh ROOT
set -euo pipefail
ROOT=$1
J=$ROOT/.devcontainer/devcontainer.json
fail=0
bad() { echo "devcontainer_check: $*"; fail=1; }
[ -f "$J" ] || { echo "devcontainer_check: no $J"; exit 1; }
grep -qE '"image": *"[^"]*(bookworm|debian:12)[^"]*"' "$J" || bad "the image is not Debian 12 (bookworm)"
cmd=$(sed -nE 's/^ *"postCreateCommand": *"([^"]*)".*/\1/p' "$J")
[ "$cmd" = "bash .devcontainer/post-create.sh" ] || bad "postCreateCommand is '$cmd'"
grep -q 'ci/setup.sh' "$ROOT/.devcontainer/post-create.sh" || bad "post-create.sh does not run ci/setup.sh"
for ext in ms-vscode.cpptools ms-vscode.cmake-tools; do
  grep -q "\"$ext\"" "$J" || bad "extension $ext not recommended"
done
# the command itself, as the container would run it (from the workspace root), dry
(cd "$ROOT" && ${cmd:-false} --dry-run) || bad "the postCreateCommand failed here"
[ $fail -eq 0 ] || exit 1
echo "devcontainer_check: ok"
