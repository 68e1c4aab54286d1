#!/bin/sh
# What the whole-build cache saves (docs/design.md, "Build caches"): each
# exercise's reference graded once with the cache off (it compiles the
# student's files and links every variant; grader objects stay cached, as
# after a student's first `make check`), then with the cache on twice (the
# first stores the build if it is not there yet, the second restores it:
# a re-run with no edit, timed).
#   bench/regrade.sh [BUILD_DIR]        (default build; needs a built tree)
# Prints figures only; nothing here is asserted anywhere.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CONCLAB=$BUILD/bin/conclab

seconds() {   # seconds CMD...: wall time of one grading, in seconds
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || echo "  (grading failed: $*)" >&2
    end=$(date +%s.%N)
    echo "$start $end" | awk '{printf "%.1f", $2 - $1}'
}

printf '%-12s %10s %10s\n' exercise "builds" "restores"
for dir in "$ROOT"/reference/*/; do
    ex=$(basename "$dir")
    grade="$CONCLAB verify $dir --exercise $ex --expect full"
    cold=$(CONCLAB_BUILD_CACHE_MB=0 seconds $grade)
    seconds $grade >/dev/null
    again=$(seconds $grade)
    printf '%-12s %9ss %9ss\n' "$ex" "$cold" "$again"
done
