#!/usr/bin/env bash
# `make demo`: grade a small sample class — the reference and known-wrong
# submissions bundled in this repository — then print the gradebook, one
# student's report and the path of the class dashboard (index.html).
# Everything happens under $BUILD/demo.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONCLAB="$BUILD/bin/conclab"
CLASS="$BUILD/demo/class"
OUT="$BUILD/demo/gradebook"

rm -rf "$CLASS"
mkdir -p "$CLASS"

. "$ROOT/tests/class.sh"  # put STUDENT DIR EXERCISE

# ada: the reference solution of every exercise.
for ex in $(ls "$ROOT/reference"); do put ada "$ROOT/reference/$ex" "$ex"; done
# bob: handed in the untouched stubs.
for ex in $(ls "$ROOT/exercises"); do put bob "$ROOT/exercises/$ex" "$ex"; done
# One student per exercise with a known mistake (first case of each corpus),
# the reference for the other exercises.
i=0
for names in cleo:counter dan:pool_copy eve:pipes finn:round_robin gus:udp_chat; do
  student=${names%%:*}
  wrong_ex=${names##*:}
  case_dir=$(ls -d "$ROOT/tests/known-wrong/$wrong_ex"/*/ 2>/dev/null | head -n 1)
  [ -n "$case_dir" ] || continue
  for ex in $(ls "$ROOT/reference"); do put "$student" "$ROOT/reference/$ex" "$ex"; done
  put "$student" "${case_dir%/}" "$wrong_ex"
  echo "$student: ${case_dir#$ROOT/} — $(grep -m1 '^why:' "$case_dir/expect.yaml" | cut -d: -f2-)"
  i=$((i + 1))
done

echo
echo "== grading $(ls "$CLASS" | wc -l) submissions in $CLASS"
"$CONCLAB" batch "$CLASS" --out "$OUT" --regrade
echo
echo "== $OUT/gradebook.csv"
column -s, -t < "$OUT/gradebook.csv" 2>/dev/null || cat "$OUT/gradebook.csv"
echo
echo "== cleo's report ($OUT/cleo/results.json)"
"$CONCLAB" report "$OUT/cleo/results.json"
echo
# Last, so it is what stays on the screen: the page a TA opens (docs/reports.md).
echo "== class dashboard: file://$(realpath "$OUT/index.html")"
echo "   each student's report: file://$(realpath "$OUT")/<student>/report.html"
