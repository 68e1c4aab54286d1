#!/usr/bin/env bash
# `conclab list --check` must fail on a real build when a manifest and its
# graders disagree: a copy of the course's counter exercise whose manifest
# renames one test (so it matches no TEST, and the TEST is claimed by none).
set -euo pipefail
CONCLAB=$1
SRC=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/conclab-listcheck-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/exercises" "$TMP/graders"
cp -r "$SRC/exercises/counter" "$TMP/exercises/"
cp -r "$SRC/graders/counter" "$TMP/graders/"
[ -d "$SRC/graders/common" ] && cp -r "$SRC/graders/common" "$TMP/graders/"
sed -i 's/^  - name: never_blocks$/  - name: never_blocks_renamed/' "$TMP/exercises/counter/exercise.yaml"
grep -q "never_blocks_renamed" "$TMP/exercises/counter/exercise.yaml" || { echo "test setup: rename failed"; exit 1; }

set +e
"$CONCLAB" list --check --course "$TMP" --exercise counter > "$TMP/out.txt" 2>&1
status=$?
set -e
cat "$TMP/out.txt"
[ "$status" -eq 1 ] || { echo "expected exit 1 (names disagree), got $status"; exit 1; }
grep -q "exercises/counter/exercise.yaml: test never_blocks_renamed .*matches no GoogleTest test" "$TMP/out.txt" ||
  { echo "the unmatched manifest test is not named"; exit 1; }
grep -q "graders/counter/counter_stress_test.cpp:[0-9]*: TEST .*\.never_blocks is claimed by no test" "$TMP/out.txt" ||
  { echo "the unclaimed TEST is not named with its file and line"; exit 1; }
echo "list --check fails, naming both sides, on a mismatched manifest"
