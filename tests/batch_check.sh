#!/usr/bin/env bash
# Batch grading end to end: a dozen mixed submissions (reference, stub,
# known-wrong, not compiling) graded into the gradebook; the batch is
# interrupted with SIGINT, then killed with SIGKILL, and each re-run must
# complete it with every student exactly once and the expected scores.
set -euo pipefail
CONCLAB=$1
ROOT=$2
WORK=$3
EX=counter
rm -rf "$WORK"
mkdir -p "$WORK/class"
CLASS=$WORK/class
OUT=$WORK/out

. "$ROOT/tests/class.sh"  # put STUDENT DIR
put ref1 "$ROOT/reference/$EX"
put ref2 "$ROOT/reference/$EX"
put ref3 "$ROOT/reference/$EX"
put stub1 "$ROOT/exercises/$EX"
put stub2 "$ROOT/exercises/$EX"
for c in plain_long atomic_load_then_store mutex_counter check_then_fetch_sub threads_capped_at_cores fetch_sub_then_undo; do
  put "kw_$c" "$ROOT/tests/known-wrong/$EX/$c"
done
put broken "$ROOT/reference/$EX"
echo "this is not C++" >> "$CLASS/broken/exercises/$EX/$EX.cpp"
students=$(ls "$CLASS" | wc -l)   # 12

batch() { "$CONCLAB" batch "$CLASS" --out "$OUT" --exercise "$EX" --jobs 2 "$@"; }
graded() { { ls "$OUT"/*/results.json 2>/dev/null || true; } | wc -l; }

# wait_then SIGNAL: start a batch, send SIGNAL once the first result is written.
wait_then() {
  # conclab itself, not a shell function, so that the signal reaches it
  "$CONCLAB" batch "$CLASS" --out "$OUT" --exercise "$EX" --jobs 2 "${@:2}" > "$WORK/batch-$1.log" 2>&1 &
  local pid=$!
  local before; before=$(graded)
  for _ in $(seq 1 1200); do
    [ "$(graded)" -gt "$before" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.25
  done
  kill -s "$1" $pid 2>/dev/null || true
  wait $pid || true
}

wait_then INT
after_int=$(graded)
echo "after SIGINT: $after_int of $students graded"
[ "$after_int" -lt "$students" ] || { echo "batch check: SIGINT came too late to test anything"; exit 1; }
grep -q "stopping" "$WORK/batch-INT.log" || { cat "$WORK/batch-INT.log"; echo "batch check: no sign of the SIGINT"; exit 1; }
rm -f "$OUT"/ref1/results.json "$OUT"/stub2/results.json   # lost results must be regraded too
wait_then KILL
echo "after SIGKILL: $(graded) of $students results on disk"
batch > "$WORK/batch-final.log" 2>&1 || { cat "$WORK/batch-final.log"; exit 1; }
tail -n 12 "$WORK/batch-final.log"

csv=$OUT/gradebook.csv
fail() { echo "batch check: $*"; cat "$csv"; exit 1; }
[ "$(head -n 1 "$csv" | tr -d '\r')" = "student,$EX,total,max_score,status,flagged" ] || fail "unexpected CSV header"
[ "$(tail -n +2 "$csv" | wc -l)" -eq "$students" ] || fail "expected $students rows"
[ "$(tail -n +2 "$csv" | cut -d, -f1 | sort | uniq -d | wc -l)" -eq 0 ] || fail "duplicate rows"
score() { grep "^$1," "$csv" | cut -d, -f2; }
for s in ref1 ref2 ref3; do [ "$(score $s)" = 20 ] || fail "$s scored $(score $s), expected 20"; done
for s in stub1 stub2 kw_plain_long kw_atomic_load_then_store kw_mutex_counter kw_check_then_fetch_sub \
         kw_threads_capped_at_cores kw_fetch_sub_then_undo; do
  awk -v v="$(score $s)" 'BEGIN { exit !(v != "" && v + 0 < 20) }' || fail "$s scored $(score $s), expected less than 20"
done
[ "$(score broken)" = 0 ] || fail "broken scored $(score broken), expected 0"
grep -q "does not compile" "$OUT/broken/results.json" || fail "broken's results.json lacks the compiler errors"
[ "$(score stub1)" = "$(score stub2)" ] || fail "the same stub scored differently"
[ "$(graded)" -eq "$students" ] || fail "expected $students results.json files"
if command -v sqlite3 > /dev/null; then
  [ "$(sqlite3 "$OUT/gradebook.sqlite" 'select count(*) from submissions')" -eq "$students" ] || fail "sqlite rows"
  [ "$(sqlite3 "$OUT/gradebook.sqlite" "select count(*) from exercises where name = '$EX'")" -eq "$students" ] ||
    fail "duplicate exercise rows in sqlite"
fi
echo "batch verified: $students submissions, interrupted twice, nothing lost or duplicated"
