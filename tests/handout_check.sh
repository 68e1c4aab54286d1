#!/usr/bin/env bash
# The student handout, end to end: written and verified by `conclab handout`
# (no reference/, no hidden graders, no line of a reference solution), then
# built from scratch on its own, where `make check` must fail on the stubs
# because tests fail — not because the grader could not run.
set -euo pipefail
CONCLAB=$1
# The course build's grader cache (optional): the handout's own build then
# compiles conclab from scratch, but a grader object whose inputs are the
# same as the course build's (key: sources, every header, flags, compiler) is
# not compiled twice (docs/design.md, "Build caches").
if [ -n "${2:-}" ]; then export CONCLAB_GRADER_CACHE=$2; fi
# Outside the course tree: a handout inside it would be part of the course.
OUT=$(mktemp -d "${TMPDIR:-/tmp}/conclab-handout-XXXXXX")
trap 'rm -rf "$OUT"' EXIT

"$CONCLAB" handout --out "$OUT/repo"          # exits 2 if verification finds a leak
cd "$OUT/repo"
for forbidden in reference tests build .git; do
  if [ -e "$forbidden" ]; then echo "handout contains $forbidden/"; exit 1; fi
done
if grep -rqs "hidden: true" exercises/*/exercise.yaml; then
  echo "handout manifests still list hidden tests or builds"; exit 1
fi

make build > build.log 2>&1 || { tail -40 build.log; exit 1; }

# One grading: make check itself writes the JSON (ARGS, see the Makefile).
set +e
make check ARGS="--json results.json" > check.log 2>&1
make_status=$?
set -e
tail -n 30 check.log
if [ "$make_status" -eq 0 ]; then echo "make check passed on the stubs"; exit 1; fi
# make names the recipe's exit status: conclab grade exits 1 when tests
# failed, 2 when the grader could not run. Under `make test` this make is a
# sub-make and says "make[1]:".
grade_status=$(sed -nE 's/^make(\[[0-9]+\])?: \*\*\* \[[^]]*check\] Error ([0-9]+)$/\2/p' check.log)
# make check also writes the student's HTML report and says where (docs/reports.md)
grep -q "HTML report: .*/build/report.html" check.log && [ -s build/report.html ] ||
  { echo "make check did not write build/report.html"; exit 1; }
if [ "${grade_status:-none}" != 1 ]; then echo "conclab grade exited $grade_status on the stubs, expected 1 (tests failed)"; exit 1; fi
# Every exercise was graded, none scored full marks, none hit a grader error.
for ex in $(ls exercises); do
  line=$(grep -E "^$ex +[0-9.]+ / [0-9.]+" check.log | head -n 1)
  [ -n "$line" ] || { echo "exercise $ex was not graded"; exit 1; }
  echo "$line" | awk '{ if ($2 + 0 >= $4 + 0) { print "full marks on the stub: " $0; exit 1 } }'
done
if grep -q '"status": *"error"' results.json; then echo "a test ended in error"; exit 1; fi
# A report's seed replays through make: one test, graded with that seed (it
# fails on the stub: the JSON is what is checked).
make check EX=counter TEST=increments_are_not_lost SEED=4242 ARGS="--json one.json" > one.log 2>&1 || true
[ "$(grep -o '"seed":' one.json | wc -l)" -eq 1 ] && grep -q '"seed": *4242' one.json &&
  grep -q '"name": *"increments_are_not_lost"' one.json ||
  { tail -n 20 one.log; echo "make check TEST=… SEED=… did not grade that one test with that seed"; exit 1; }
echo "handout verified: builds on its own, make check fails on the stubs"
