#!/bin/bash
# A student's evening (issue: "a verdict within seconds of an edit"): for each
# exercise, the reference and the stub are each graded like `make check EX=…`
# (visible tests: `conclab grade --visible`), once to warm the caches, then
# after a one-line edit of the exercise's .cpp (timed: edit -> first test
# line on screen, edit -> full verdict), then again with no change (timed).
#   bench/student_loop.sh [-j N] [BUILD_DIR] [EXERCISE...]   (default build, all)
# -j N grades with --test-jobs N (tests run at once; docs/design.md,
# "Concurrent tests"); without it, as make check: as many at once as cores.
# Prints figures only; nothing here is asserted anywhere.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=
if [ "${1:-}" = -j ]; then JOBS=$2; shift 2; fi
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
shift || true
CONCLAB=$BUILD/bin/conclab
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# grade SUB EX: prints "FIRST TOTAL" in seconds from the call: when the first
# test's line reached stderr (--progress prints each test as it is decided),
# and when the verdict was complete.
grade() {
    local start first="" now
    start=$(date +%s.%N)
    while IFS= read -r line; do
        case "$line" in
            *"✓"* | *"✗"*) [ -n "$first" ] || first=$(date +%s.%N) ;;
        esac
    done < <("$CONCLAB" grade "$1" --exercise "$2" --visible --progress ${JOBS:+--test-jobs "$JOBS"} 2>&1 >/dev/null)
    now=$(date +%s.%N)
    echo "$start ${first:-$now} $now" | awk '{printf "%.1f %.1f", $2 - $1, $3 - $1}'
}

exercises=("$@")
[ ${#exercises[@]} -gt 0 ] || exercises=($(cd "$ROOT/exercises" && ls))
printf '%-12s %-9s %16s %18s %14s\n' exercise code "edit→first line" "edit→full verdict" "no-change run"
for ex in "${exercises[@]}"; do
    for code in reference stub; do
        src=$ROOT/reference/$ex
        [ $code = stub ] && src=$ROOT/exercises/$ex
        sub=$WORK/$code-$ex
        mkdir -p "$sub/exercises/$ex"
        cp "$ROOT/exercises/$ex/"*.hpp "$ROOT/exercises/$ex/"*.cpp "$sub/exercises/$ex/"
        cp "$src/"*.hpp "$src/"*.cpp "$sub/exercises/$ex/" 2>/dev/null || true
        grade "$sub" "$ex" >/dev/null                       # warm: grader objects, this code's build
        echo "// edited at $(date +%s.%N)" >> "$sub/exercises/$ex/$ex.cpp"
        read -r first full <<< "$(grade "$sub" "$ex")"
        read -r _ again <<< "$(grade "$sub" "$ex")"
        printf '%-12s %-9s %15ss %17ss %13ss\n' "$ex" "$code" "$first" "$full" "$again"
    done
done
