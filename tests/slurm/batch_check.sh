#!/usr/bin/env bash
# `conclab batch --backend slurm` against a real one-node cluster
# (tests/slurm/cluster.sh, started by the ctest fixture):
#   1. a dozen mixed submissions graded locally and on Slurm: the gradebooks
#      must be equal row for row (scores, statuses, every test's verdict),
#      timing and node columns aside;
#   2. one array task cancelled (scancel) mid-run: its submission is `error`
#      with Slurm's reason, nobody else is blamed, and the re-run grades only
#      it and completes the gradebook with no duplicate or lost row;
#   3. Ctrl-C of the submitting process cancels the whole array and keeps
#      what is graded; the re-run completes it.
#
#   tests/slurm/batch_check.sh CONCLAB ROOT WORK CLUSTER_DIR
set -euo pipefail
CONCLAB=$1
ROOT=$2
WORK=$3
CLUSTER=$4
EX=counter
[ -f "$CLUSTER/env" ] || { echo "slurm check: no cluster in $CLUSTER (the slurm/cluster_start fixture starts it)"; exit 1; }
# shellcheck disable=SC1091
. "$CLUSTER/env"
sinfo -h > /dev/null || { echo "slurm check: the cluster in $CLUSTER does not answer"; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/class"
CLASS=$WORK/class

. "$ROOT/tests/class.sh"  # put STUDENT DIR
put ref1 "$ROOT/reference/$EX"
put ref2 "$ROOT/reference/$EX"
put ref3 "$ROOT/reference/$EX"
put stub1 "$ROOT/exercises/$EX"
put stub2 "$ROOT/exercises/$EX"
# (not plain_long: whether its lost updates show depends on timing and load,
# and a row-for-row comparison needs verdicts that do not)
for c in posix_semaphore_office atomic_load_then_store mutex_counter check_then_fetch_sub threads_capped_at_cores fetch_sub_then_undo; do
  # a corpus case holds only the files it changes; the rest is the stub's
  mkdir -p "$CLASS/kw_$c/exercises/$EX"
  cp "$ROOT/exercises/$EX/$EX.hpp" "$ROOT/exercises/$EX/$EX.cpp" "$CLASS/kw_$c/exercises/$EX/"
  cp "$ROOT/tests/known-wrong/$EX/$c"/$EX.* "$CLASS/kw_$c/exercises/$EX/" 2> /dev/null || true
done
put broken "$ROOT/reference/$EX"
echo "this is not C++" >> "$CLASS/broken/exercises/$EX/$EX.cpp"
students=$(ls "$CLASS" | wc -l)   # 12

fail() { echo "slurm check: $*"; exit 1; }
sq() { sqlite3 -separator '|' "$1/gradebook.sqlite" "$2"; }
# What must be equal between two gradebooks: the CSV (no timing or node
# column in it) and every test's verdict and points.
verdicts() { sq "$1" "select student, exercise, name, status, score, max_score from tests order by student, exercise, position"; }
same_as_local() {  # same_as_local OUT
  diff <(tr -d '\r' < "$WORK/local/gradebook.csv") <(tr -d '\r' < "$1/gradebook.csv") ||
    fail "$1/gradebook.csv differs from the local backend's (above)"
  diff <(verdicts "$WORK/local") <(verdicts "$1") || fail "test verdicts in $1 differ from the local backend's (above)"
  [ "$(sq "$1" 'select count(*) from submissions')" -eq "$students" ] || fail "$1: expected $students submissions"
  [ "$(sq "$1" 'select count(*) from (select student from submissions group by student having count(*) > 1)')" -eq 0 ] ||
    fail "$1: duplicate rows"
  [ "$(ls "$1"/*/results.json | wc -l)" -eq "$students" ] || fail "$1: expected $students results.json"
}
# After a cancel or Ctrl-C: every student exactly once, graded, as locally.
# (Scores are compared row for row in part 1; here a racy known-wrong case
# graded under a different load may lose a test more or less, which says
# nothing about what scancel did.)
complete_as_local() {  # complete_as_local OUT
  diff <(tail -n +2 "$WORK/local/gradebook.csv" | tr -d '\r' | awk -F, '{ print $1, $(NF-1) }') \
       <(tail -n +2 "$1/gradebook.csv" | tr -d '\r' | awk -F, '{ print $1, $(NF-1) }') ||
    fail "$1: students or statuses differ from the local backend's (above)"
  [ "$(sq "$1" 'select count(*) from submissions')" -eq "$students" ] || fail "$1: expected $students submissions"
  [ "$(sq "$1" "select count(*) from exercises where name = '$EX'")" -eq "$students" ] || fail "$1: duplicate exercise rows"
  [ "$(ls "$1"/*/results.json | wc -l)" -eq "$students" ] || fail "$1: expected $students results.json"
}
slurm_batch() {  # slurm_batch OUT LOG [ARGS…]
  local out=$1 log=$2
  shift 2
  "$CONCLAB" batch "$CLASS" --out "$out" --exercise "$EX" --backend slurm "$@" > "$log" 2>&1
}

# ---- 1. local vs slurm
t0=$(date +%s)
"$CONCLAB" batch "$CLASS" --out "$WORK/local" --exercise "$EX" --jobs "$(nproc)" > "$WORK/local.log" 2>&1 ||
  { cat "$WORK/local.log"; fail "the local batch failed"; }
t1=$(date +%s)
slurm_batch "$WORK/slurm" "$WORK/slurm.log" || { cat "$WORK/slurm.log"; fail "the slurm batch failed"; }
t2=$(date +%s)
tail -n 20 "$WORK/slurm.log"
grep -q "preflight on .*: ok" "$WORK/slurm.log" || fail "no preflight in the log"
same_as_local "$WORK/slurm"
node=$(sinfo -h -o %n | head -n 1)
[ "$(sq "$WORK/slurm" "select count(*) from submissions where node = '$node'")" -eq "$students" ] ||
  fail "the node column does not name the compute node $node"
[ "$(sq "$WORK/slurm" "select count(*) from submissions where grader_version = ''")" -eq 0 ] ||
  fail "a row without its grader version"
echo "slurm check: local ($((t1 - t0)) s) and slurm ($((t2 - t1)) s) gradebooks are equal row for row"

# A second run submits nothing: everything is graded and unchanged.
slurm_batch "$WORK/slurm" "$WORK/slurm-again.log" || { cat "$WORK/slurm-again.log"; fail "the re-run failed"; }
grep -q "$students already graded (unchanged), 0 to grade" "$WORK/slurm-again.log" ||
  { cat "$WORK/slurm-again.log"; fail "the re-run of a complete gradebook graded something"; }

# ---- 2. one task cancelled mid-run
OUT=$WORK/cancel
slurm_batch "$OUT" "$WORK/cancel.log" --no-preflight --max-running 2 &
pid=$!
victim=""
for _ in $(seq 1 600); do
  kill -0 $pid 2> /dev/null || break
  # a task that has started grading (RUNNING for a second: past conclab's start-up)
  victim=$(squeue -h -r -n conclab-batch -t RUNNING -o '%i %M' | awk '$2 != "0:00" { print $1; exit }')
  if [ -n "$victim" ]; then
    scancel "$victim"
    # wait for its end (COMPLETING lasts until its processes are gone)
    for _ in $(seq 1 100); do
      state=$(scontrol -o show job "$victim" | tr ' ' '\n' | sed -n 's/^JobState=//p')
      case $state in RUNNING | COMPLETING) sleep 0.2 ;; *) break ;; esac
    done
    [ "$state" = CANCELLED ] && break   # it had finished before scancel came: try another
    victim=""
  fi
  sleep 0.2
done
rc=0
wait $pid || rc=$?
[ -n "$victim" ] || { cat "$WORK/cancel.log"; fail "no running task could be cancelled"; }
echo "slurm check: cancelled task $victim; the batch exited $rc"
[ $rc -eq 2 ] || { cat "$WORK/cancel.log"; fail "a batch with a cancelled task must exit 2 (grader errors), not $rc"; }
errors=$(sq "$OUT" "select student from submissions where status = 'error'")
[ "$(echo "$errors" | grep -c .)" -eq 1 ] || { cat "$WORK/cancel.log"; fail "expected exactly one error row, got: $errors"; }
sq "$OUT" "select error from submissions where status = 'error'" | grep -q "Slurm ended the grading task $victim.*CANCELLED" ||
  fail "the error does not carry Slurm's reason: $(sq "$OUT" "select error from submissions where status = 'error'")"
grep -q "^$errors,.*error: Slurm ended" "$OUT/gradebook.csv" || fail "the CSV does not show the cancelled one as error"
grep -q '"status": *"error"' "$OUT/$errors/results.json" || fail "$errors/results.json is not error"
[ "$(sq "$OUT" "select count(*) from tests where student = '$errors' and status <> 'error'")" -eq 0 ] ||
  fail "the cancelled submission has tests that are not error (blamed on the student?)"
slurm_batch "$OUT" "$WORK/cancel-rerun.log" --no-preflight || { cat "$WORK/cancel-rerun.log"; fail "the re-run failed"; }
grep -q "$((students - 1)) already graded (unchanged), 1 to grade" "$WORK/cancel-rerun.log" ||
  { cat "$WORK/cancel-rerun.log"; fail "the re-run must grade only the cancelled submission"; }
complete_as_local "$OUT"
echo "slurm check: the cancelled submission was error with Slurm's reason and the re-run completed it"

# ---- 3. Ctrl-C of the submitting process
OUT=$WORK/interrupt
"$CONCLAB" batch "$CLASS" --out "$OUT" --exercise "$EX" --backend slurm --no-preflight --max-running 2 \
  > "$WORK/int.log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
  [ "$(ls "$OUT"/*/results.json 2> /dev/null | wc -l)" -gt 0 ] && break
  kill -0 $pid 2> /dev/null || break
  sleep 0.25
done
job=$(sed -n 's/^submitted job array \([0-9]*\).*/\1/p' "$WORK/int.log")
kill -INT $pid
rc=0
wait $pid || rc=$?
[ $rc -eq 130 ] || { cat "$WORK/int.log"; fail "an interrupted batch must exit 130, not $rc"; }
[ -n "$job" ] || { cat "$WORK/int.log"; fail "no job array in the log"; }
sleep 1
[ -z "$(squeue -h -j "$job" 2> /dev/null)" ] || fail "job $job still queued after Ctrl-C: $(squeue -j "$job")"
kept=$(sq "$OUT" "select count(*) from submissions")
[ "$kept" -ge 1 ] && [ "$kept" -lt "$students" ] || fail "after Ctrl-C: $kept of $students stored"
[ "$(sq "$OUT" "select count(*) from submissions where status = 'error'")" -eq 0 ] ||
  fail "Ctrl-C stored errors (it must store nothing for what it cancelled)"
slurm_batch "$OUT" "$WORK/int-rerun.log" --no-preflight || { cat "$WORK/int-rerun.log"; fail "the re-run failed"; }
grep -q "$kept already graded (unchanged), $((students - kept)) to grade" "$WORK/int-rerun.log" ||
  { cat "$WORK/int-rerun.log"; fail "the re-run must grade only what Ctrl-C left"; }
complete_as_local "$OUT"
echo "slurm check: Ctrl-C cancelled job $job with $kept of $students graded; the re-run completed it"
echo "slurm verified: local = slurm row for row; scancel and Ctrl-C lose nothing and duplicate nothing"
