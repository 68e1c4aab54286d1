#!/bin/bash
# Do verdicts depend on running an exercise's tests concurrently? (docs/design.md,
# "Concurrent tests".) For each case of an exercise -- the reference, the stub,
# tests/known-wrong and tests/correct -- grades it RUNS times one test after
# another and RUNS times with --test-jobs JOBS (after one untimed grading that
# builds it), and prints the mean wall time of a grading each way and every
# test whose verdict was not the same in all 2 x RUNS gradings.
#   bench/concurrent_tests.sh [-r RUNS] [-j JOBS] [EXERCISE...]   (default 3, cores, all)
# Prints figures only; nothing here is asserted anywhere.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONCLAB=${BUILD:-$ROOT/build}/bin/conclab
RUNS=3
JOBS=$(nproc)
while getopts r:j: o; do
    case $o in r) RUNS=$OPTARG ;; j) JOBS=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
exercises=("$@")
[ ${#exercises[@]} -gt 0 ] || exercises=($(cd "$ROOT/exercises" && ls))
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# verdicts SUBMISSION EX JOBS: one line "test=status ..." per grading, and its seconds
verdicts() {
    local start end
    start=$(date +%s.%N)
    "$CONCLAB" grade "$1" --exercise "$2" --test-jobs "$3" -q --json "$WORK/r.json" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(t["name"] + "=" + t["status"] for e in r["exercises"] for t in e["tests"]))' "$WORK/r.json"
    echo "$start $end" | awk '{printf "%.2f\n", $2 - $1}' >> "$WORK/seconds-$3"
}

differing=0 cases=0
for ex in "${exercises[@]}"; do
    list=("reference:$ROOT/reference/$ex" "stub:$ROOT/exercises/$ex")
    for c in "$ROOT/tests/known-wrong/$ex"/*/ "$ROOT/tests/correct/$ex"/*/; do
        [ -f "$c/expect.yaml" ] && list+=("$(basename "$(dirname "$c")")/$(basename "$c"):$c")
    done
    for entry in "${list[@]}"; do
        name=${entry%%:*} dir=${entry#*:}
        sub=$WORK/sub
        rm -rf "$sub" && mkdir -p "$sub/exercises/$ex"
        cp "$ROOT/exercises/$ex/"*.?pp "$sub/exercises/$ex/"       # the stub's files...
        cp "$dir/"*.?pp "$sub/exercises/$ex/" 2>/dev/null || true   # ...replaced by the case's
        : > "$WORK/all"
        # untimed: builds (or restores) the case, so both ways time only the tests
        "$CONCLAB" grade "$sub" --exercise "$ex" -q >/dev/null 2>&1 || true
        for ((i = 0; i < RUNS; i++)); do
            verdicts "$sub" "$ex" 1 >> "$WORK/all"
            verdicts "$sub" "$ex" "$JOBS" >> "$WORK/all"
        done
        cases=$((cases + 1))
        if [ "$(sort -u "$WORK/all" | wc -l)" -ne 1 ]; then
            differing=$((differing + 1))
            echo "$ex/$name: verdicts differ:"
            tr ' ' '\n' < "$WORK/all" | sort | uniq -c | awk -v n=$((2 * RUNS)) '$1 != n { print "    " $2 " (" $1 " of " n ")" }'
        fi
    done
done
avg() { awk '{ s += $1 } END { printf "%.1f", s / NR }' "$WORK/seconds-$1"; }
echo "$cases cases x $RUNS gradings each way: $differing with verdicts that differ"
echo "mean grading: $(avg 1) s one test at a time, $(avg "$JOBS") s with --test-jobs $JOBS"
