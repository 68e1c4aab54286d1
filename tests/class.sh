# Building a class of submissions from the course's folders, for the scripts
# that grade one (tests/batch_check.sh, tests/slurm/batch_check.sh,
# tests/html_check.sh, demo/run.sh). Sourced; needs ROOT and CLASS set.
#
# put STUDENT DIR [EXERCISE]: DIR's editable files in STUDENT's handout layout
# (EXERCISE defaults to $EX). A corpus case holds only the files it changes
# (docs/corpus.md): the others come from the stub.
put() {
  local student=$1 dir=$2 ex=${3:-$EX} f
  mkdir -p "$CLASS/$student/exercises/$ex"
  for f in "$ex.hpp" "$ex.cpp"; do
    if [ -f "$dir/$f" ]; then cp "$dir/$f" "$CLASS/$student/exercises/$ex/"
    else cp "$ROOT/exercises/$ex/$f" "$CLASS/$student/exercises/$ex/"; fi
  done
}
